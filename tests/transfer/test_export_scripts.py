"""Export Script: selected scripts, directories or all, developed or submitted; ``DLF_<script>.zip`` for one,
``scripts.zip`` for several, ``scripts/<name>.script`` inside (+ their connections with dependencies)."""

from __future__ import annotations

import pytest

from factory.development.models import Script
from factory.development.services import script_save
from factory.errors import NotFound, ValidationError
from factory.transfer.exports import (
    WITH_DEPENDENCIES,
    ExportRequest,
    export_collect,
    export_select,
    export_stream,
)
from tests.transfer.exporting import (
    CONN_PASSWORD,
    assert_manifest_matches,
    assert_no_secret,
    submit_all,
    zip_json,
)

pytestmark = pytest.mark.django_db


def export(world, **request) -> tuple[str, bytes]:
    selection = export_select(workspace=world.workspace, request=ExportRequest(category="script", **request))
    contents = export_collect(selection=selection)
    return selection.file_name, b"".join(
        export_stream(selection=selection, contents=contents, user=world.dev)
    )


def test_one_script(export_world):
    name, data = export(export_world, script_ids=(export_world.scripts["dws_script"].pk,))

    assert name == "DLF_dws_script.zip"
    entries = zip_json(data)
    assert set(entries) == {"scripts/dws_script.script", "manifest.json"}
    assert entries["scripts/dws_script.script"] == Script.objects.get(name="dws_script").document
    manifest = assert_manifest_matches(data)
    assert manifest["references"] == [{"type": "connection", "name": "doctest", "connectionType": "DWS"}]


def test_several_scripts_with_their_connections(export_world):
    name, data = export(export_world, everything=True, scope=WITH_DEPENDENCIES)

    assert name == "scripts.zip"
    entries = zip_json(data)
    assert set(entries) == {
        "scripts/dws_script.script",
        "scripts/hive_script.script",
        "scripts/lonely.script",
        "connections/doctest.conn",
        "connections/hive_conn.conn",
        "connections/unused_conn.conn",
        "manifest.json",
    }
    assert "password" not in entries["connections/unused_conn.conn"]["config"]
    assert_no_secret(data, [CONN_PASSWORD])


def test_script_directories(export_world):
    name, data = export(export_world, directory_paths=("/sql",))
    assert name == "scripts.zip"
    assert len([p for p in zip_json(data) if p.endswith(".script")]) == 3


def test_submitted_scripts(export_world):
    with pytest.raises(ValidationError) as caught:
        export(export_world, script_ids=(export_world.scripts["lonely"].pk,), status="submit")
    assert caught.value.code == "never_submitted" and "lonely" in caught.value.message

    submit_all(export_world)
    script = Script.objects.get(name="lonely")
    script_save(script=script, user=export_world.dev, document=dict(script.document, content="SELECT 2;"))
    _, data = export(export_world, script_ids=(script.pk,), status="submit")
    assert zip_json(data)["scripts/lonely.script"]["content"] == "SELECT 'lonely';"
    _, develop = export(export_world, script_ids=(script.pk,))
    assert zip_json(develop)["scripts/lonely.script"]["content"] == "SELECT 2;"


def test_unknown_scripts_are_named(export_world):
    with pytest.raises(NotFound) as caught:
        export(export_world, script_names=("dws_script", "missing_one"))
    assert caught.value.code == "script_not_found" and "missing_one" in caught.value.message
