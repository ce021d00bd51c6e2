"""Script services: the same rules as jobs, with type and connection pulled out of the definition."""

from __future__ import annotations

import pytest

from factory.development.models import Script
from factory.development.services import (
    directory_create,
    script_copy,
    script_create,
    script_delete,
    script_move,
    script_rename,
    script_rollback,
    script_save,
    script_submit,
    scripts_delete,
    scripts_move,
)
from factory.errors import Conflict, LockError, PreconditionFailed
from tests.builders import script_document
from tests.development.import_writes import script_import_one

pytestmark = pytest.mark.django_db


def test_create_pulls_out_type_and_connection_and_keeps_the_rest(workspace, alice):
    doc = script_document(
        "s", type="DLISQL", connectionName="dli", queueName="q1", directory="/sql", extra=[1]
    )
    script = script_create(workspace=workspace, user=alice, document=doc)
    script.refresh_from_db()
    assert (script.type, script.connection_name, script.owner) == ("DLISQL", "dli", "alice")
    assert (script.document["queueName"], script.document["extra"]) == ("q1", [1])
    assert script.directory.path == "/sql" and script.lock_holder == alice
    with pytest.raises(Conflict) as exc:
        script_create(workspace=workspace, user=alice, document=script_document("s"))
    assert exc.value.code == "script_exists"


def test_save_submit_and_rollback(workspace, alice, bob):
    script = script_create(workspace=workspace, user=alice, document=script_document("s"))
    first = script_submit(script=script, user=alice, description="v1")
    script = script_save(
        script=script, user=alice, document=script_document("other", content="SELECT 2;"), if_match=1
    )
    assert (script.name, script.document["content"], script.revision) == ("s", "SELECT 2;", 2)
    with pytest.raises(PreconditionFailed):
        script_save(script=script, user=alice, document=script_document("s"), if_match=1)
    with pytest.raises(LockError):
        script_submit(script=script, user=bob)

    script = script_rollback(script=script, user=alice, version=first)
    assert script.document["content"] == "SELECT 1;"
    assert not script.is_submitted


def test_rename_move_copy_delete(workspace, alice):
    script = script_create(workspace=workspace, user=alice, document=script_document("s"))
    directory_create(workspace=workspace, user=alice, category="script", path="/sql")

    script = script_rename(script=script, user=alice, name="s2")
    script = script_move(script=script, user=alice, directory_path="/sql")
    copy = script_copy(script=script, user=alice, new_name="s3")

    assert (script.name, script.document["name"], script.document["directory"]) == ("s2", "s2", "/sql")
    assert (copy.document["name"], copy.directory.path) == ("s3", "/sql")
    script_delete(script=script, user=alice)
    assert list(Script.objects.values_list("name", flat=True)) == ["s3"]


def test_batch_move_and_delete(workspace, alice):
    scripts = [
        script_create(workspace=workspace, user=alice, document=script_document(f"s{i}")) for i in range(3)
    ]
    directory_create(workspace=workspace, user=alice, category="script", path="/sql")
    ids = [s.pk for s in scripts]
    assert scripts_move(workspace=workspace, user=alice, script_ids=ids, directory_path="/sql") == 3
    assert set(Script.objects.values_list("document__directory", flat=True)) == {"/sql"}
    assert scripts_delete(workspace=workspace, user=alice, script_ids=ids) == 3
    assert not Script.objects.exists()


def test_import_write_overwrites_and_submits(workspace, alice, bob):
    script = script_create(workspace=workspace, user=alice, document=script_document("s"))
    script = script_import_one(
        workspace=workspace,
        user=bob,
        document=script_document("s", content="SELECT 42;", directory="/imported"),
        obj=script,
        version_description="import",
    )
    assert (script.lock_holder, script.document["content"], script.directory.path) == (
        bob,
        "SELECT 42;",
        "/imported",
    )
    assert script.is_submitted
    assert script.versions.get().description == "import"
