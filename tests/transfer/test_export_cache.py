"""Export entries kept between exports: the next export of unchanged documents copies their kept bytes,
gives a package byte-identical to one written from the documents, and never serves bytes of a document
that changed (edited, submitted, renamed, moved, its directory renamed) or made by other code."""

from __future__ import annotations

import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factory.development.models import Directory, Job
from factory.development.services import directory_rename, job_move, job_rename, job_save, job_submit
from factory.transfer.exports import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportRequest,
    export_collect,
    export_select,
    export_stream,
)
from factory.transfer.exports import cache as export_cache
from factory.transfer.models import JobExportEntry, ScriptExportEntry
from tests.transfer.exporting import (
    API_KEY,
    MASKED_TOKEN,
    NODE_SECRET,
    REST_PASSWORD,
    REST_TOKEN,
    ExportWorld,
    secret_forms,
    submit_all,
    zip_entries,
)

pytestmark = pytest.mark.django_db


def export(world: ExportWorld, *, kept: bool = True, **request) -> dict[str, bytes]:
    """The entries of an export of the whole workspace: as a background export writes it (``kept``: with
    the kept entries), or as a download streams it, straight from the documents."""
    request = {"everything": True, "scope": WITH_DEPENDENCIES, **request}
    selection = export_select(workspace=world.workspace, request=ExportRequest(**request))
    contents = export_collect(selection=selection, spool_jobs=kept)
    data = b"".join(export_stream(selection=selection, contents=contents, user=None))
    entries = zip_entries(data)
    entries.pop("manifest.json")  # its exportedAt differs; its rows are the entries' sha256, compared below
    return entries


def manifest_rows(world: ExportWorld, **request) -> list:
    import json

    request = {"everything": True, "scope": WITH_DEPENDENCIES, **request}
    selection = export_select(workspace=world.workspace, request=ExportRequest(**request))
    contents = export_collect(selection=selection, spool_jobs=True)
    data = b"".join(export_stream(selection=selection, contents=contents, user=None))
    manifest = json.loads(zip_entries(data)["manifest.json"])
    return [manifest[key] for key in sorted(manifest) if key not in ("exportedAt",)]


def kept_rows() -> int:
    return JobExportEntry.objects.count() + ScriptExportEntry.objects.count()


@pytest.mark.parametrize("status", ["develop", "submit"])
@pytest.mark.parametrize("scope", [WITH_DEPENDENCIES, JOBS_ONLY])
def test_a_second_export_is_byte_identical_and_reads_no_document(export_world, status, scope):
    submit_all(export_world)
    fresh = export(export_world, kept=False, status=status, scope=scope)
    first = export(export_world, status=status, scope=scope)  # keeps what it prepares
    assert kept_rows() > 0
    with CaptureQueriesContext(connection) as queries:
        second = export(export_world, status=status, scope=scope)
    assert first == fresh
    assert second == fresh
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in (
        "development_job",
        "development_jobversion",
        "development_script",
        "development_scriptversion",
    ):
        assert f'"{table}"."document"' not in read  # no job or script document was read at all
    assert manifest_rows(export_world, status=status, scope=scope) == manifest_rows(
        export_world, status=status, scope=scope
    )


def test_kept_entries_hold_no_secret(export_world):
    submit_all(export_world)
    export(export_world)
    kept = [zlib.decompress(bytes(row.deflated), -zlib.MAX_WBITS) for row in JobExportEntry.objects.all()]
    kept += [zlib.decompress(bytes(r.deflated), -zlib.MAX_WBITS) for r in ScriptExportEntry.objects.all()]
    assert kept
    for secret in (NODE_SECRET, REST_PASSWORD, REST_TOKEN, API_KEY, MASKED_TOKEN):
        for form in secret_forms(secret):
            assert not any(form in blob for blob in kept), f"a form of {secret!r} is kept"


def _changed(world: ExportWorld, change) -> tuple[dict[str, bytes], dict[str, bytes]]:
    export(world)  # kept
    change(world)
    return export(world), export(world, kept=False)


def test_an_edited_job_is_prepared_again(export_world):
    world = export_world
    job = Job.objects.get(pk=world.jobs["parent"].pk)
    document = dict(job.document, description="edited after the first export")

    kept, fresh = _changed(world, lambda w: job_save(job=job, user=w.dev, document=document))
    assert kept == fresh
    assert b"edited after the first export" in kept["jobs/parent/parent.job"]


def test_a_renamed_job_is_named_anew(export_world):
    world = export_world
    kept, fresh = _changed(world, lambda w: job_rename(job=w.jobs["daily_load"], user=w.dev, name="daily_2"))
    assert kept == fresh
    assert "jobs/daily_2/daily_2.job" in kept and not any("daily_load/" in path for path in kept)


def test_a_moved_job_and_a_renamed_directory_are_prepared_again(export_world):
    """A move changes the document's directory but not its revision."""
    world = export_world

    def change(w):
        job_move(job=w.jobs["doc1"], user=w.dev, directory_path="/flows")
        directory = Directory.objects.get(workspace=w.workspace, category="job", path="/flows/deep")
        directory_rename(directory=directory, user=w.admin, name="deeper")

    kept, fresh = _changed(world, change)
    assert kept == fresh
    assert b'"/flows"' in kept["jobs/doc1/doc1.job"]
    assert b'"/flows/deeper"' in kept["jobs/grandchild/grandchild.job"]


def test_a_new_submitted_version_is_prepared_again(export_world):
    world = export_world
    submit_all(world)
    job = Job.objects.get(pk=world.jobs["child"].pk)

    def change(w):
        job_save(job=job, user=w.dev, document=dict(job.document, description="second version"))
        job_submit(job=Job.objects.get(pk=job.pk), user=w.dev)

    export(world, status="submit")
    change(world)
    kept, fresh = export(world, status="submit"), export(world, status="submit", kept=False)
    assert kept == fresh
    assert b"second version" in kept["jobs/child/child.job"]


def test_entries_made_by_other_code_are_not_used(export_world, monkeypatch):
    """The key holds a digest of the code that prepares entries: bytes an older redaction made are never
    served (here: kept bytes tampered with, then the code 'changes')."""
    world = export_world
    export(world)
    JobExportEntry.objects.update(deflated=zlib.compress(b"{}", 9)[2:-4])  # not what the code makes
    monkeypatch.setattr(export_cache, "code_fingerprint", lambda: "another version of the code")
    assert export(world) == export(world, kept=False)


def test_the_fingerprint_covers_the_redaction_code():
    fingerprint = export_cache.code_fingerprint()
    assert len(fingerprint) == 64
    covered = {part.split("/")[0] for part in export_cache._CODE}
    assert {"packages", "development", "transfer"} <= covered


def test_a_deleted_job_loses_its_entries(export_world):
    world = export_world
    export(world)
    job = world.jobs["secret_job"]
    assert JobExportEntry.objects.filter(job=job).exists()
    Job.objects.filter(pk=job.pk).delete()
    assert not JobExportEntry.objects.filter(job_id=job.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_delete_of_exported_jobs_commits_and_their_entries_go(django_db_blocker):
    """The batch delete removes jobs with a plain DELETE (no ORM cascade): the kept entries hold no
    database constraint that would refuse the commit, and the next export that keeps entries sweeps the
    rows of objects that are gone."""
    from factory.development.services import jobs_delete
    from tests.transfer.exporting import export_world_build

    world = export_world_build(prefix="del_")
    export(world)
    doomed = [world.jobs["parent"].pk, world.jobs["child"].pk]
    assert JobExportEntry.objects.filter(job_id__in=doomed).exists()
    for job_id in doomed:  # created (and locked) by dev
        Job.objects.filter(pk=job_id).update(lock_holder=world.dev)
    assert jobs_delete(workspace=world.workspace, user=world.dev, job_ids=doomed) == 2  # committed
    assert not Job.objects.filter(pk__in=doomed).exists()

    JobExportEntry.objects.filter(job__workspace=world.workspace).update(key="stale")  # force a re-keep
    export(world)
    assert not JobExportEntry.objects.filter(job_id__in=doomed).exists()
