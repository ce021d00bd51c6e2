"""The bulk import write gives, object for object, the same end state whatever the batch: a batch of all
the objects leaves what batches of one leave (the same rows, versions, secrets and lock); an invalid
document fails alone; the queries do not grow with the objects."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factory.connections.resources import (
    resource_create,
    resource_update,
    resources_import_check,
    resources_import_save,
)
from factory.crypto import secrets_decrypt
from factory.development.models import Directory, Job, JobVersion, Resource, Script, ScriptVersion
from factory.development.services import Imported, ImportEntry, job_create, script_create
from factory.errors import Conflict, DomainError, ValidationError
from factory.workspaces.models import Workspace
from tests.builders import job_document, script_document, two_node_job, workspace_make
from tests.development.import_writes import (
    checked_then_saved,
    job_import_one,
    jobs_import_write,
    script_import_one,
    scripts_import_write,
)
from tests.development.secret_jobs import MASKED, REST_PASSWORD, secret_job

pytestmark = pytest.mark.django_db

DESCRIPTION = "Imported from jobs.zip"


def resources_import_write(*, workspace, user, entries):
    return checked_then_saved(
        resources_import_check(workspace=workspace, entries=entries),
        lambda rows: resources_import_save(workspace=workspace, user=user, rows=rows),
    )


@pytest.fixture
def pair(db):
    """Two empty workspaces: one written object by object (batches of one), one in bulk."""
    return workspace_make("one"), workspace_make("bulk")


def _jobs_state(workspace: Workspace) -> dict[str, dict]:
    """Everything a user can see of the workspace's jobs, without keys and times."""
    state = {}
    for job in Job.objects.filter(workspace=workspace).select_related("directory", "lock_holder"):
        state[job.name] = {
            "directory": job.directory.path if job.directory else "/",
            "document": job.document,
            "owner": job.owner,
            "process_type": job.process_type,
            "node_count": job.node_count,
            "lock_holder": job.lock_holder.username if job.lock_holder else None,
            "locked": job.locked_at is not None,
            "revision": job.revision,
            "submitted_revision": job.submitted_revision,
            "secret_fields": job.secret_fields,
            "secrets": secrets_decrypt(ciphertext=job.secrets_encrypted),
            "created_by": job.created_by_id,
            "updated_by": job.updated_by_id,
            "versions": list(
                JobVersion.objects.filter(job=job)
                .order_by("kind", "number")
                .values_list("kind", "number", "document", "description", "created_by")
            ),
        }
    return state


def _scripts_state(workspace: Workspace) -> dict[str, dict]:
    state = {}
    for script in Script.objects.filter(workspace=workspace).select_related("directory"):
        state[script.name] = {
            "directory": script.directory.path if script.directory else "/",
            "document": script.document,
            "owner": script.owner,
            "type": script.type,
            "connection_name": script.connection_name,
            "lock_holder": script.lock_holder_id,
            "revision": script.revision,
            "submitted_revision": script.submitted_revision,
            "versions": list(
                ScriptVersion.objects.filter(script=script)
                .order_by("kind", "number")
                .values_list("kind", "number", "document", "description", "created_by")
            ),
        }
    return state


def _directories(workspace: Workspace) -> list[tuple]:
    return sorted(
        Directory.objects.filter(workspace=workspace).values_list(
            "category", "path", "name", "depth", "parent__path"
        )
    )


def _one_by_one(write, *, workspace, user, documents, existing, submit) -> list[object]:
    """Each document imported in a batch of its own; the error instead where it is refused."""
    results = []
    for document in documents:
        try:
            results.append(
                write(
                    workspace=workspace,
                    user=user,
                    document=copy.deepcopy(document),
                    obj=existing.get(document.get("name")),
                    version_description=DESCRIPTION,
                    submit=submit,
                )
            )
        except DomainError as exc:
            results.append(exc)
    return results


def _jobs_before(workspace: Workspace, owner, other) -> dict[str, Job]:
    """Jobs the import overwrites: one with stored secrets and a version, one locked by someone else."""
    keeper = job_create(workspace=workspace, user=owner, document=secret_job("keeper"))
    taken = job_create(workspace=workspace, user=other, document=two_node_job("taken", directory="/old"))
    return {"keeper": keeper, "taken": taken}


def _job_documents() -> list[dict]:
    return [
        # The package's secret values are empty (kept from the target); one masked value typed in.
        secret_job("keeper", rest_password="", node_secret="", masked="typed-in", listed=""),
        two_node_job("taken", directory="/etl/daily", basicConfig={"owner": "ops"}),
        job_document("fresh", directory="etl/daily/"),
        job_document("deep", directory="/etl/weekly/x"),
        secret_job("new_secret"),
        job_document("bad", nodes=[{"name": "n", "type": "Dummy"}, {"name": "n", "type": "Dummy"}]),
        job_document("fresh"),  # the same name twice: the second is refused
    ]


@pytest.mark.parametrize("submit", [True, False])
def test_bulk_jobs_end_as_batches_of_one_leave_them(pair, alice, bob, submit):
    one, bulk = pair
    documents = _job_documents()
    expected = _one_by_one(
        job_import_one,
        workspace=one,
        user=alice,
        documents=documents,
        existing=_jobs_before(one, alice, bob),
        submit=submit,
    )
    existing = _jobs_before(bulk, alice, bob)
    given = copy.deepcopy(documents)
    results = jobs_import_write(
        workspace=bulk,
        user=alice,
        entries=[ImportEntry(document=d, obj=existing.get(d["name"])) for d in given],
        version_description=DESCRIPTION,
        submit=submit,
    )

    assert given == documents, "the caller's documents are never changed"
    assert [type(r) for r in results] == [Imported if isinstance(e, Job) else type(e) for e in expected]
    for got, want in zip(results, expected, strict=True):
        if isinstance(want, DomainError):
            assert (got.message, got.code) == (want.message, want.code)
        else:
            assert got.obj.name == want.name
            assert got.version.number == JobVersion.objects.filter(job=want).latest("created_at").number
    assert _jobs_state(bulk) == _jobs_state(one)
    assert _directories(bulk) == _directories(one)
    keeper = _jobs_state(bulk)["keeper"]
    assert keeper["secrets"]["node:call:authPassword"] == REST_PASSWORD
    assert keeper["secrets"]["param:tok"] == "typed-in"
    assert keeper["lock_holder"] == "alice" and _jobs_state(bulk)["taken"]["lock_holder"] == "alice"
    new = _jobs_state(bulk)["new_secret"]
    assert new["secrets"]["param:tok"] == MASKED
    assert REST_PASSWORD not in str(
        [keeper["document"], keeper["versions"], new["document"], new["versions"]]
    )


def test_bulk_scripts_end_as_batches_of_one_leave_them(pair, alice, bob):
    one, bulk = pair
    documents = [
        script_document("old", content="SELECT 2;", directory="/sql/new", owner="ops"),
        script_document("new", directory="/sql"),
        script_document("nameless", type=""),
        script_document("taken_name"),
    ]

    def before(workspace):
        script_create(workspace=workspace, user=bob, document=script_document("taken_name"))
        return {"old": script_create(workspace=workspace, user=bob, document=script_document("old"))}

    expected = _one_by_one(
        script_import_one, workspace=one, user=alice, documents=documents, existing=before(one), submit=True
    )
    existing = before(bulk)
    results = scripts_import_write(
        workspace=bulk,
        user=alice,
        entries=[ImportEntry(document=d, obj=existing.get(d["name"])) for d in copy.deepcopy(documents)],
        version_description=DESCRIPTION,
    )

    assert [type(r) for r in results] == [Imported, Imported, ValidationError, Conflict]
    assert [r.message for r in results[2:]] == [e.message for e in expected[2:]]
    assert _scripts_state(bulk) == _scripts_state(one)
    assert _directories(bulk) == _directories(one)


def test_bulk_versions_keep_the_latest_100_like_batches_of_one(pair, alice):
    one, bulk = pair

    def before(workspace):
        job = job_create(workspace=workspace, user=alice, document=job_document("j"))
        JobVersion.objects.bulk_create(
            JobVersion(job=job, kind="submitted", number=n, document={"n": n}) for n in range(1, 101)
        )
        return {"j": job}

    _one_by_one(
        job_import_one,
        workspace=one,
        user=alice,
        documents=[job_document("j")],
        existing=before(one),
        submit=True,
    )
    existing = before(bulk)
    jobs_import_write(
        workspace=bulk,
        user=alice,
        entries=[ImportEntry(document=job_document("j"), obj=existing["j"])],
        version_description=DESCRIPTION,
    )

    numbers = list(
        JobVersion.objects.filter(job__workspace=bulk, kind="submitted")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(2, 102))
    assert _jobs_state(bulk) == _jobs_state(one)


def test_bulk_resources_end_as_create_and_update_leave_them(pair, alice):
    one, bulk = pair

    def doc(name, **extra):
        return {
            "name": name,
            "type": "jar",
            "location": f"obs://bucket/{name}.jar",
            "dependFiles": [],
            "directory": "/jars/spark",
            **extra,
        }

    documents = [
        doc("old", location="obs://bucket/v2.jar", directory="jars"),
        doc("new", desc="a jar"),
        doc("badloc", location="http://nope"),
        doc("taken"),
    ]

    def before(workspace):
        resource_create(workspace=workspace, user=alice, document=doc("taken"))
        return {"old": resource_create(workspace=workspace, user=alice, document=doc("old"))}

    existing = before(one)
    expected = []
    for d in copy.deepcopy(documents):
        try:
            if d["name"] in existing:
                expected.append(resource_update(resource=existing[d["name"]], user=alice, document=d))
            else:
                expected.append(resource_create(workspace=one, user=alice, document=d))
        except DomainError as exc:
            expected.append(exc)
    existing = before(bulk)
    results = resources_import_write(
        workspace=bulk,
        user=alice,
        entries=[ImportEntry(document=d, obj=existing.get(d["name"])) for d in copy.deepcopy(documents)],
    )

    assert [type(r) for r in results] == [type(e) for e in expected]
    assert [r.message for r in results[2:]] == [e.message for e in expected[2:]]

    def state(workspace):
        return sorted(
            Resource.objects.filter(workspace=workspace).values_list(
                "name", "type", "location", "document", "directory__path", "created_by"
            )
        )

    assert state(bulk) == state(one)
    assert _directories(bulk) == _directories(one)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite caps a statement's parameters: Django splits bulk statements by the number of rows",
)
def test_bulk_write_queries_do_not_grow_with_the_objects(pair, alice):
    one, bulk = pair

    def queries(workspace, count: int) -> int:
        first = jobs_import_write(
            workspace=workspace,
            user=alice,
            entries=[
                ImportEntry(document=job_document(f"j{k}", directory=f"/d{k % 7}/e")) for k in range(count)
            ],
            version_description=DESCRIPTION,
        )
        entries = [
            ImportEntry(document=job_document(f"j{k}", directory="/x"), obj=r.obj)
            for k, r in enumerate(first)
        ]
        entries += [ImportEntry(document=job_document(f"n{k}", directory=f"/n{k}/m")) for k in range(count)]
        with CaptureQueriesContext(connection) as captured:
            jobs_import_write(
                workspace=workspace, user=alice, entries=entries, version_description=DESCRIPTION
            )
        return len(captured)

    assert queries(one, 10) == queries(bulk, 200)
