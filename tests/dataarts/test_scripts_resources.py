"""Scripts and resources through the official SDK (in process)."""

from __future__ import annotations

import json

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    CreateResourceRequest,
    CreateScriptRequest,
    DeleteResourceRequest,
    DeleteScriptRequest,
    ExecuteScriptRequest,
    ListResourcesRequest,
    ListScriptResultsRequest,
    ListScriptsRequest,
    ResourceInfo,
    ScriptInfo,
    ShowResourceRequest,
    ShowScriptRequest,
    UpdateResourceRequest,
    UpdateScriptRequest,
)

from factory.development.models import Resource, Script
from tests.dataarts.documents import job_document, resource_document, script_document

pytestmark = pytest.mark.django_db


def _refused(call, *args) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call(*args)
    return caught.value


class TestScripts:
    def test_create_show_list(self, dgc, workspace_a) -> None:
        body = ScriptInfo(
            name="load_sales",
            type="DWSSQL",
            content="INSERT INTO sales SELECT * FROM staging;",
            connection_name="doctest",
            database="postgres",
            directory="/sql/daily",
            description="daily load",
        )
        assert dgc.create_script(CreateScriptRequest(body=body)).status_code == 204
        shown = dgc.show_script(ShowScriptRequest(script_name="load_sales"))
        assert (shown.name, shown.type, shown.connection_name, shown.directory) == (
            "load_sales",
            "DWSSQL",
            "doctest",
            "/sql/daily",
        )
        assert shown.content.startswith("INSERT INTO sales")
        assert shown.owner == "alice"
        script = Script.objects.get(workspace=workspace_a, name="load_sales")
        assert shown.id == str(script.pk)
        assert script.is_submitted

        dgc.create_script(CreateScriptRequest(body=script_document("other")))
        listed = dgc.list_scripts(ListScriptsRequest())
        assert (listed.total, [s.name for s in listed.scripts]) == (2, ["load_sales", "other"])
        assert dgc.list_scripts(ListScriptsRequest(script_name="load")).total == 1

    def test_update_and_delete(self, dgc) -> None:
        dgc.create_script(CreateScriptRequest(body=script_document("s1")))
        changed = script_document("s1", content="SELECT 2;", connectionName="dws_backup")
        assert dgc.update_script(UpdateScriptRequest(script_name="s1", body=changed)).status_code == 204
        shown = dgc.show_script(ShowScriptRequest(script_name="s1"))
        assert (shown.content, shown.connection_name) == ("SELECT 2;", "dws_backup")
        assert dgc.delete_script(DeleteScriptRequest(script_name="s1")).status_code == 204
        error = _refused(dgc.show_script, ShowScriptRequest(script_name="s1"))
        assert (error.status_code, error.error_code) == (400, "DLF.6201")

    def test_duplicate_is_dlf_0202(self, dgc, workspace_a) -> None:
        dgc.create_script(CreateScriptRequest(body=script_document("dup")))
        # The same call again within the second would carry the same signature and be refused as a
        # replay; naming the (same) workspace makes it another request.
        again = CreateScriptRequest(workspace=workspace_a.public_id, body=script_document("dup"))
        assert _refused(dgc.create_script, again).error_code == "DLF.0202"

    def test_execution_is_not_supported(self, dgc) -> None:
        dgc.create_script(CreateScriptRequest(body=script_document("run")))
        error = _refused(dgc.execute_script, ExecuteScriptRequest(script_name="run"))
        assert (error.status_code, error.error_code) == (400, "DLF.9001")
        error = _refused(
            dgc.list_script_results, ListScriptResultsRequest(script_name="run", instance_id="1")
        )
        assert error.error_code == "DLF.6205"


class TestResources:
    def test_create_show_list_update_delete(self, dgc, workspace_a) -> None:
        body = ResourceInfo(
            name="spark_udf",
            type="jar",
            location="obs://dlf-demo/jars/udf.jar",
            depend_files=["obs://dlf-demo/jars/dep.jar"],
            desc="UDFs",
            directory="/jars",
        )
        created = dgc.create_resource(CreateResourceRequest(body=body))
        resource_id = json.loads(created.raw_content)["resourceId"]
        assert resource_id == str(Resource.objects.get(workspace=workspace_a, name="spark_udf").pk)

        shown = dgc.show_resource(ShowResourceRequest(resource_id=resource_id))
        assert (shown.id, shown.name, shown.type, shown.location, shown.directory) == (
            resource_id,
            "spark_udf",
            "jar",
            "obs://dlf-demo/jars/udf.jar",
            "/jars",
        )
        assert shown.depend_files == ["obs://dlf-demo/jars/dep.jar"]
        assert shown.job_relation == []

        dgc.create_resource(CreateResourceRequest(body=resource_document("other")))
        listed = dgc.list_resources(ListResourcesRequest())
        assert (listed.total, sorted(r.name for r in listed.resources)) == (2, ["other", "spark_udf"])
        assert dgc.list_resources(ListResourcesRequest(resource_name="spark")).total == 1

        changed = resource_document("spark_udf", location="obs://dlf-demo/jars/udf-2.jar", directory="/jars")
        dgc.update_resource(UpdateResourceRequest(resource_id=resource_id, body=changed))
        assert dgc.show_resource(ShowResourceRequest(resource_id=resource_id)).location.endswith("udf-2.jar")

        assert dgc.delete_resource(DeleteResourceRequest(resource_id=resource_id)).status_code == 204
        error = _refused(dgc.show_resource, ShowResourceRequest(resource_id=resource_id))
        assert (error.status_code, error.error_code) == (400, "DLF.6241")

    def test_invalid_type_and_unknown_id(self, dgc) -> None:
        error = _refused(
            dgc.create_resource, CreateResourceRequest(body=resource_document("bad", type="exe"))
        )
        assert error.status_code == 400
        assert "type" in error.error_msg
        assert _refused(dgc.show_resource, ShowResourceRequest(resource_id="abc")).error_code == "DLF.6241"

    def test_resource_used_by_a_job_shows_the_relation_and_is_kept(self, dgc) -> None:
        created = dgc.create_resource(CreateResourceRequest(body=resource_document("lib")))
        resource_id = json.loads(created.raw_content)["resourceId"]
        node = {
            "name": "spark",
            "type": "DLISpark",
            "location": {"x": "0", "y": "0"},
            "properties": [
                {"name": "resourceName", "value": "lib"},
                {"name": "clusterName", "value": "queue1"},
            ],
        }
        dgc.create_job(CreateJobRequest(body=job_document("uses_lib", nodes=[node])))
        shown = dgc.show_resource(ShowResourceRequest(resource_id=resource_id))
        assert [relation.task_name for relation in shown.job_relation] == ["uses_lib"]
        error = _refused(dgc.delete_resource, DeleteResourceRequest(resource_id=resource_id))
        assert error.status_code == 400
        assert "uses_lib" in error.error_msg
        assert Resource.objects.filter(name="lib").exists()
