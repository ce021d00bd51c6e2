"""The change-set: a preview classifies every object of a package against the workspace as new, changed
or unchanged on what the import would write (after the replacements and parameters), with the
structural diff; and with ``skipUnchanged`` (the console's default) the apply writes nothing for an
unchanged object, so that importing the same package twice writes no version the second time."""

from __future__ import annotations

import pytest

from factory.api.transfer.imports import import_choices_of
from factory.connections.services import connection_create
from factory.development.models import Job, JobVersion, ScriptVersion
from factory.errors import Conflict, ValidationError
from factory.transfer.imports import import_changes, import_preview_request, import_report
from factory.transfer.imports.preview import import_preview
from factory.transfer.models import ImportChange, SystemTask, TaskStatus
from tests.builders import client_for, node, package_bytes, package_dws_job, package_script
from tests.transfer.importing import apply, start

pytestmark = pytest.mark.django_db
DWS2 = [{"kind": "connection", "name": "doctest", "replace": "dws2"}]


def package(*, description: str = "", extra_node: bool = False, moved: bool = False) -> bytes:
    job = package_dws_job("doc1", connection="doctest", script="dws_script", description=description)
    if extra_node:
        job["nodes"].append(node("added_node", "Dummy", {}))
    if moved:
        for each in job["nodes"]:
            each["location"] = {"x": 900, "y": 900}
    return package_bytes(jobs=[job], scripts=[package_script("dws_script", "doctest")])


def preview(task: SystemTask, user, **choices) -> SystemTask:
    import_preview_request(task=task, user=user, choices=import_choices_of(choices), enqueue=False)
    import_preview(task_id=task.pk)
    task.refresh_from_db()
    return task


def changes_of(task: SystemTask) -> dict[tuple[str, str], ImportChange]:
    return {(row.object_type, row.name): row for row in ImportChange.objects.filter(task=task)}


def imported(target, data: bytes, **choices) -> SystemTask:
    task = start(target.workspace, target.dev, data)
    return apply(task, target.dev, mapping=DWS2, **choices)


def test_importing_the_same_package_twice_writes_nothing_the_second_time(target, media):
    first = imported(target, package(description="one"))
    assert import_report(first)["summary"]["created"] == 2
    versions = JobVersion.objects.count() + ScriptVersion.objects.count()

    second = imported(target, package(description="one"))

    assert second.status == TaskStatus.SUCCESSFUL
    report = import_report(second)
    assert report["summary"]["unchanged"] == 2 and report["summary"]["overwritten"] == 0
    assert {row["outcome"] for row in report["objects"]} == {"unchanged"}
    assert JobVersion.objects.count() + ScriptVersion.objects.count() == versions
    assert "unchanged" in second.message


def test_without_skip_unchanged_the_same_package_is_written_again(target, media):
    imported(target, package())
    versions = JobVersion.objects.count()
    second = imported(target, package(), skipUnchanged=False)
    assert import_report(second)["summary"]["overwritten"] == 2
    assert JobVersion.objects.count() == versions + 1


def test_only_positions_changed_is_unchanged_and_not_written(target, media):
    imported(target, package())
    versions = JobVersion.objects.count()
    second = imported(target, package(moved=True))
    assert import_report(second)["summary"]["unchanged"] == 2
    assert JobVersion.objects.count() == versions


def test_a_real_change_is_written(target, media):
    imported(target, package(description="one"))
    second = imported(target, package(description="two"))
    rows = {row["name"]: row["outcome"] for row in import_report(second)["objects"]}
    assert rows == {"doc1": "overwritten", "dws_script": "unchanged"}
    assert Job.objects.get(workspace=target.workspace, name="doc1").document["description"] == "two"


def test_the_preview_classifies_on_what_would_be_written(target, media):
    imported(target, package(description="one"))
    task = start(target.workspace, target.dev, package(description="one", extra_node=True))

    task = preview(task, target.dev, mapping=DWS2)

    assert (task.status, task.step) == (TaskStatus.WAITING, "previewed")
    assert task.result["changes"]["summary"] == {
        "new": 0,
        "changed": 1,
        "unchanged": 1,
        "skipped": 0,
        "failed": 0,
    }
    rows = changes_of(task)
    job_row = rows[("job", "doc1")]
    assert job_row.change == "changed"
    assert job_row.counts["nodesAdded"] == 1 and job_row.counts["nodesModified"] == 0
    assert job_row.diff["changed"] is True
    assert {n["name"] for n in job_row.diff["nodes"] if n["status"] == "added"} == {"added_node"}
    assert job_row.before is not None and job_row.after is not None
    assert rows[("script", "dws_script")].change == "unchanged"
    # The replacement is part of what is compared: the workspace's job runs on dws2, as would the import.
    assert rows[("script", "dws_script")].diff is None


def test_without_the_replacement_the_same_objects_would_change(target, media):
    """The package names connection doctest; mapped to dws3 instead, both objects would change."""
    connection_create(workspace=target.workspace, user=target.admin, name="dws3", type="DWS")
    imported(target, package())
    task = start(target.workspace, target.dev, package())
    task = preview(task, target.dev, mapping=[{"kind": "connection", "name": "doctest", "replace": "dws2"}])
    assert task.result["changes"]["summary"]["unchanged"] == 2
    task = preview(task, target.dev, mapping=[{"kind": "connection", "name": "doctest", "replace": "dws3"}])
    assert task.result["changes"]["summary"]["changed"] == 2
    assert ImportChange.objects.filter(task=task).count() == 2  # the first preview's rows replaced


def test_new_objects_and_the_import_after_a_preview(target, media):
    task = start(target.workspace, target.dev, package())
    task = preview(task, target.dev, mapping=DWS2)
    rows = changes_of(task)
    assert {row.change for row in rows.values()} == {"new"}
    assert rows[("job", "doc1")].after["name"] == "doc1"  # drawn as a new DAG
    assert list(import_changes(task=task, change="new").values_list("name", flat=True)) == [
        "dws_script",
        "doc1",
    ]

    task = apply(task, target.dev, mapping=DWS2)
    assert task.status == TaskStatus.SUCCESSFUL
    assert import_report(task)["summary"]["created"] == 2


def test_a_preview_writes_nothing(target, media):
    imported(target, package(description="one"))
    versions = JobVersion.objects.count()
    task = start(target.workspace, target.dev, package(description="two"))
    preview(task, target.dev, mapping=DWS2)
    assert Job.objects.get(workspace=target.workspace, name="doc1").document["description"] == "one"
    assert JobVersion.objects.count() == versions


def test_only_the_importer_previews_and_only_while_waiting(target, media):
    task = start(target.workspace, target.dev, package())
    with pytest.raises(Exception, match="Only the user who started"):
        import_preview_request(task=task, user=target.bob, choices=import_choices_of({"mapping": DWS2}))
    task = apply(task, target.dev, mapping=DWS2)
    with pytest.raises(Conflict):
        import_preview_request(task=task, user=target.dev, choices=import_choices_of({"mapping": DWS2}))


def test_the_api_pages_the_changes_and_opens_a_diff(target, media):
    imported(target, package(description="one"))
    task = start(target.workspace, target.dev, package(description="one", extra_node=True))
    client = client_for(target.dev)
    base = f"/api/workspaces/{target.workspace.pk}/imports/{task.public_id}/"

    response = client.post(base + "preview/", {"mapping": DWS2}, content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json()["task"]["step"] == "preview"
    import_preview(task_id=task.pk)

    detail = client.get(base).json()
    assert detail["changes"]["summary"]["changed"] == 1
    page = client.get(base + "changes/", {"change": "changed"}).json()
    assert page["count"] == 1 and page["results"][0]["name"] == "doc1"
    assert page["results"][0]["counts"]["nodesAdded"] == 1
    assert "diff" not in page["results"][0]  # diffs are loaded when opened
    opened = client.get(base + f"changes/{page['results'][0]['id']}/").json()
    assert opened["diff"]["summary"]["nodesAdded"] == 1
    assert opened["before"]["name"] == opened["after"]["name"] == "doc1"
    assert client.get(base + "changes/", {"change": "sideways"}).status_code == 400
    assert client.get(base + "changes/999999/").status_code == 404


def test_the_dry_run_command_says_what_each_object_would_become(target, media, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    imported(target, package(description="one"))
    path = tmp_path / "jobs.zip"
    path.write_bytes(package(description="one", extra_node=True))
    out = StringIO()
    call_command(
        "import_jobs",
        str(path),
        "--workspace",
        target.workspace.name,
        "--map",
        "connection:doctest=dws2",
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "would import: 1 changed, 1 unchanged" in text
    assert "job doc1: exists, locked by dev; import: changed (nodesAdded 1)" in text
    assert "script dws_script: exists, locked by dev; import: unchanged" in text

    out = StringIO()
    call_command(
        "import_jobs",
        str(path),
        "--workspace",
        target.workspace.name,
        "--map",
        "connection:doctest=dws2",
        "--dry-run",
        "--json",
        stdout=out,
    )
    inspection = json.loads(out.getvalue())
    job = next(row for row in inspection["jobs"] if row["name"] == "doc1")
    assert job["change"] == "changed" and job["diff"]["summary"]["nodesAdded"] == 1
    assert inspection["changes"]["summary"]["unchanged"] == 1

    out = StringIO()
    call_command(
        "import_jobs",
        str(path),
        "--workspace",
        target.workspace.name,
        "--map",
        "connection:doctest=dws2",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert SystemTask.objects.get(public_id=report["taskId"]).status == TaskStatus.SUCCESSFUL
    assert report["summary"]["overwritten"] == 1 and report["summary"]["unchanged"] == 1


def test_the_task_row_keeps_the_inspection_the_preview_and_the_report(target, media):
    """Each step merges its part into the row without reading back what the others stored."""
    task = start(target.workspace, target.dev, package())
    task = preview(task, target.dev, mapping=DWS2)
    task = apply(task, target.dev, mapping=DWS2)
    assert set(task.result) == {"inspection", "changes", "report"}
    assert task.result["inspection"]["summary"]["jobs"] == 1
    assert task.result["changes"]["summary"]["new"] == 2
    assert task.result["report"]["summary"]["created"] == 2
    assert task.result["changes"]["choices"]["targetDirectory"] is None  # nulls kept


def test_a_saved_but_unsubmitted_object_is_changed_and_says_why(target, media):
    imported(target, package(), targetStatus="saved")
    task = start(target.workspace, target.dev, package())
    task = preview(task, target.dev, mapping=DWS2)  # submits, by default
    row = changes_of(task)[("job", "doc1")]
    assert row.change == "changed" and "not submitted" in row.message
    task = preview(task, target.dev, mapping=DWS2, targetStatus="saved")
    assert changes_of(task)[("job", "doc1")].change == "unchanged"


def test_rewrite_rules_are_applied_and_shown_in_the_change_set(target, media):
    """A rule rewrites the script's content and the job's database property; the preview shows both as
    changes, the apply writes them; a bad rule is refused naming it."""
    imported(target, package())
    rules = [
        {"find": "postgres", "replace": "prod_db"},
        {"find": "^SELECT", "replace": "select", "regex": True},
    ]
    task = start(target.workspace, target.dev, package())
    task = preview(task, target.dev, mapping=DWS2, rewriteRules=rules)
    rows = changes_of(task)
    script = rows[("script", "dws_script")]
    assert script.change == "changed" and script.counts["linesAdded"] == 1
    assert "+select 'dws_script';" in script.diff["contentDiff"]
    job = rows[("job", "doc1")]
    assert job.change == "changed"
    assert {c["new"] for n in job.diff["nodes"] for c in n["changes"]} == {"prod_db"}

    task = apply(task, target.dev, mapping=DWS2, rewriteRules=rules)
    assert import_report(task)["summary"]["overwritten"] == 2
    written = Job.objects.get(workspace=target.workspace, name="doc1").document
    assert {p["name"]: p["value"] for p in written["nodes"][0]["properties"]}["database"] == "prod_db"

    again = start(target.workspace, target.dev, package())
    with pytest.raises(ValidationError) as refused:
        preview(
            again, target.dev, mapping=DWS2, rewriteRules=[{"find": "(a+)+$", "replace": "x", "regex": True}]
        )
    assert "rewriteRules.0.find" in refused.value.fields


def test_keep_schedules_overwrites_a_scheduled_job_and_its_schedule_runs_on(target, media):
    """DataArts refuses to overwrite a scheduled job; keepSchedules (a profile's "keep the target's
    schedules") stops, updates and starts it again in the same transaction, and the report says so."""
    from factory.development.models import ScheduleStatus

    imported(target, package(description="one"))
    Job.objects.filter(workspace=target.workspace, name="doc1").update(
        schedule_status=ScheduleStatus.SCHEDULING
    )
    refused = imported(target, package(description="two"))
    assert "is scheduled" in import_report(refused)["failed"][0]["message"]

    kept = imported(target, package(description="two"), keepSchedules=True)
    row = next(r for r in import_report(kept)["objects"] if r["name"] == "doc1")
    assert row["outcome"] == "overwritten" and row["scheduleStatus"] == ScheduleStatus.SCHEDULING
    job = Job.objects.get(workspace=target.workspace, name="doc1")
    assert job.document["description"] == "two" and job.schedule_status == ScheduleStatus.SCHEDULING


def test_a_scheduled_job_that_would_not_change_is_unchanged_not_refused(target, media):
    """Skipping unchanged objects, a scheduled job that is already as the package has it is not written,
    so nothing refuses it: promoting again to an environment whose jobs run writes nothing and fails
    nothing. A scheduled job that would change is still refused (as in DataArts), in the preview too."""
    from factory.development.models import ScheduleStatus

    imported(target, package(description="one"))
    Job.objects.filter(workspace=target.workspace, name="doc1").update(
        schedule_status=ScheduleStatus.SCHEDULING
    )
    again = imported(target, package(description="one"))
    assert again.status == TaskStatus.SUCCESSFUL, again.message
    assert import_report(again)["summary"]["unchanged"] == 2

    task = start(target.workspace, target.dev, package(description="two"))
    task = preview(task, target.dev, mapping=DWS2)
    row = changes_of(task)[("job", "doc1")]
    assert row.change == "failed" and "is scheduled" in row.message
    assert imported(target, package(description="two"), skipUnchanged=False).status == TaskStatus.FAILED
