"""The apply takes the references to the package's own scripts, resources and jobs from the inspection's
index as edges of the objects that use them, not as ``Use``s (a few hundred bytes less for each script of
a large package): the plan made so is the plan made from every reference read from the documents."""

from __future__ import annotations

from typing import Any

import pytest

from factory.development.models import Job, Script
from factory.transfer.imports.analysis import Contents, references_collect, references_gather
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.imports.common import inspected_sha256, package_load
from factory.transfer.imports.index import index_references
from factory.transfer.imports.plan import Plan, plan_build
from tests.builders import (
    job_document,
    node,
    package_bytes,
    package_dws_job,
    package_resource,
    package_script,
)
from tests.transfer.importing import start

pytestmark = pytest.mark.django_db


def package() -> bytes:
    """Jobs running the package's scripts, a sub-job, a resource, a script of the workspace and one that
    exists nowhere (which fails its job)."""
    return package_bytes(
        jobs=[
            package_dws_job("j1", connection="dws2", script="s1"),
            package_dws_job("j2", connection="dws2", script="s2"),
            job_document("j3", nodes=[node("call", "SubJob", {"subJobName": "j1"})], directory="/etl"),
            job_document(
                "j4",
                nodes=[
                    node("s", "DLISpark", {"clusterName": "q2", "jobName": "x", "resourceName": "r1"}),
                    node("loop", "ForEach", {"subJobName": "j3", "dataset": "[1]"}),
                ],
                directory="/etl",
            ),
            package_dws_job("j5", connection="dws2", script="kept"),
            package_dws_job("j6", connection="dws2", script="nowhere"),
        ],
        scripts=[package_script("s1", "dws2"), package_script("s2", "dws2")],
        resources=[package_resource("r1")],
    )


def plans(target: Any, choices: ImportChoices, *, category: str = "job") -> tuple[Plan, Plan, Any]:
    """The plan from every reference read from the documents, the plan from the index's references and
    edges, and those references."""
    task = start(target.workspace, target.dev, package(), category=category)
    sha256 = inspected_sha256(task.pk)
    source = task.params["source"]

    def planned(index: Any = None, **references: Any) -> Plan:
        package, _, _ = package_load(
            source=source, workspace=target.workspace, expected_sha256=sha256, index=index
        )
        with package:
            if not references:  # every reference, read from the documents
                references["uses"] = references_collect(Contents.of(package, category=category))
            return plan_build(
                package=package,
                category=category,
                workspace=target.workspace,
                user=target.dev,
                choices=choices,
                lock=False,
                **references,
            )

    kept = index_references(task_id=task.pk, sha256=sha256, category=category)
    assert kept is not None
    index, references = kept
    full = planned()
    linked = planned(index, uses=references.uses, edges=references.edges)
    return full, linked, references


def shown(plan: Plan) -> list[tuple[Any, ...]]:
    return [
        (i.type, i.name, i.new_name, i.outcome, i.message, sorted(i.depends_on), i.detail) for i in plan.items
    ]


def test_the_package_s_own_objects_are_edges_and_the_plan_is_the_same(target, media):
    Script.objects.create(workspace=target.workspace, name="kept", type="DWSSQL", document={"name": "kept"})
    full, linked, references = plans(target, ImportChoices(policy="overwrite", continue_on_error=True))
    assert shown(linked) == shown(full)
    assert references.edges == {
        ("job", "j1"): (("script", "s1"),),
        ("job", "j2"): (("script", "s2"),),
        ("job", "j3"): (("job", "j1"),),
        ("job", "j4"): (("job", "j3"), ("resource", "r1")),
    }
    own = {("script", "s1"), ("script", "s2"), ("job", "j1"), ("job", "j3"), ("resource", "r1")}
    assert not own & set(references.uses)
    assert {("script", "kept"), ("script", "nowhere")} <= set(references.uses)
    outcomes = {i.name: (i.outcome, sorted(i.depends_on)) for i in linked.items}
    assert outcomes["j6"][0] == "failed"
    assert outcomes["j4"] == ("created", [("job", "j3"), ("resource", "r1")])


def test_a_mapped_reference_of_the_package_s_own_is_the_same_plan(target, media):
    Script.objects.create(workspace=target.workspace, name="kept", type="DWSSQL", document={"name": "kept"})
    Job.objects.create(workspace=target.workspace, name="other", document={"name": "other"})
    choices = ImportChoices(
        policy="overwrite",
        continue_on_error=True,
        mapping={("script", "nowhere"): "kept", ("job", "j1"): "other"},
    )
    full, linked, _ = plans(target, choices)
    assert shown(linked) == shown(full)
    assert ("job", "j1") not in {key for i in linked.items for key in i.depends_on}


def test_import_script_links_only_scripts(target, media):
    full, linked, references = plans(target, ImportChoices(policy="overwrite"), category="script")
    assert shown(linked) == shown(full)
    assert {item.type for item in linked.items} == {"script"}
    assert not references.edges  # the package's scripts refer to none of its own objects


def test_the_inspection_lists_every_reference_without_a_use_for_the_package_s_own(target, media):
    task = start(target.workspace, target.dev, package())
    sha256 = inspected_sha256(task.pk)
    read, _, _ = package_load(
        source=task.params["source"], workspace=target.workspace, expected_sha256=sha256
    )
    with read:
        contents = Contents.of(read, category="job")
        every = references_collect(contents)
        gathered = references_gather(contents, linked=True)
    listed: dict[str, list[str]] = {}
    for kind, name in sorted(every):
        listed.setdefault(kind, []).append(name)
    assert task.result["inspection"]["references"] == listed
    own = {("script", "s1"), ("script", "s2"), ("job", "j1"), ("job", "j3"), ("resource", "r1")}
    assert own <= set(every)
    assert not own & set(gathered.uses)
    assert {key for keys in gathered.edges.values() for key in keys} == own
