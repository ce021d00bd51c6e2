"""Resources and environment variables, through their services."""

from __future__ import annotations

import pytest

from factory.connections.environment import environment_variable_create, environment_variable_update
from factory.connections.resources import resource_create, resource_delete, resource_update
from factory.connections.selectors import environment_variable_list, resource_referencing_jobs
from factory.development.models import Directory, Job, Resource
from factory.errors import Conflict, ValidationError
from tests.builders import user_make, workspace_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return workspace_make("ws", admin=user_make("admin1"))


def _doc(**overrides):
    doc = {
        "name": "spark_etl",
        "type": "jar",
        "location": "obs://dlf-demo/resources/spark_etl.jar",
        "dependFiles": ["obs://dlf-demo/resources/deps.jar"],
        "desc": "Spark ETL main jar",
        "directory": "/spark/jars",
    }
    doc.update(overrides)
    return doc


def test_create_keeps_the_dataarts_document_and_creates_its_directory(workspace):
    resource = resource_create(workspace=workspace, user=None, document=_doc(resourceVersion="2"))

    assert (resource.name, resource.type, resource.location) == (
        "spark_etl",
        "jar",
        "obs://dlf-demo/resources/spark_etl.jar",
    )
    assert resource.directory.path == "/spark/jars"
    assert resource.directory.category == "resource"
    assert resource.document["resourceVersion"] == "2"  # unknown keys survive
    assert resource.document["dependFiles"] == ["obs://dlf-demo/resources/deps.jar"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "x" * 33},
        {"name": "has space"},
        {"type": "zip"},
        {"location": "s3://bucket/a.jar"},
        {"location": "obs://"},
        {"location": "obs://b/" + "x" * 1100},
        {"dependFiles": "obs://b/a.jar"},
        {"dependFiles": ["/local/a.jar"]},
        {"desc": "d" * 256},
    ],
)
def test_invalid_documents_are_refused(workspace, overrides):
    with pytest.raises(ValidationError):
        resource_create(workspace=workspace, user=None, document=_doc(**overrides))
    assert not Resource.objects.exists()


def test_hdfs_locations_are_accepted_for_mrs(workspace):
    resource = resource_create(
        workspace=workspace, user=None, document=_doc(name="mr_jar", location="hdfs://nn/apps/mr.jar")
    )
    assert resource.location == "hdfs://nn/apps/mr.jar"


def test_update_replaces_the_definition_and_names_stay_unique(workspace):
    resource = resource_create(workspace=workspace, user=None, document=_doc())
    resource_create(workspace=workspace, user=None, document=_doc(name="other"))

    resource_update(
        resource=resource, user=None, document=_doc(type="pyFile", location="obs://b/etl.py", directory="/")
    )
    resource.refresh_from_db()
    assert (resource.type, resource.location, resource.directory) == ("pyFile", "obs://b/etl.py", None)
    with pytest.raises(Conflict):
        resource_update(resource=resource, user=None, document=_doc(name="other"))
    with pytest.raises(Conflict):
        resource_create(workspace=workspace, user=None, document=_doc(name="other"))


def test_a_resource_used_by_a_job_cannot_be_deleted(workspace):
    resource = resource_create(workspace=workspace, user=None, document=_doc())
    node = {
        "name": "spark",
        "type": "DLISpark",
        "location": {"x": 0, "y": 0},
        "properties": [{"name": "clusterName", "value": "q"}, {"name": "resourceName", "value": "spark_etl"}],
    }
    Job.objects.create(workspace=workspace, name="uses_it", document={"name": "uses_it", "nodes": [node]})
    Job.objects.create(workspace=workspace, name="plain", document={"name": "plain", "nodes": []})

    assert resource_referencing_jobs(workspace=workspace, name="spark_etl") == ["uses_it"]
    with pytest.raises(Conflict) as exc:
        resource_delete(resource=resource)
    assert "uses_it" in exc.value.message
    assert Resource.objects.filter(pk=resource.pk).exists()

    Job.objects.filter(name="uses_it").delete()
    resource_delete(resource=resource)
    assert not Resource.objects.exists()
    assert Directory.objects.filter(path="/spark/jars").exists()  # the directory stays


def test_environment_variables(workspace):
    variable = environment_variable_create(
        workspace=workspace, name="obs_bucket", value="dlf-demo", description="d"
    )
    with pytest.raises(Conflict):
        environment_variable_create(workspace=workspace, name="obs_bucket")
    for name in ("", "has space", "x" * 65, "a.b"):
        with pytest.raises(ValidationError):
            environment_variable_create(workspace=workspace, name=name)

    environment_variable_update(variable=variable, value="dlf-prod")
    variable.refresh_from_db()
    assert (variable.name, variable.value, variable.description) == ("obs_bucket", "dlf-prod", "d")
    environment_variable_create(workspace=workspace_make("ws2"), name="obs_bucket")
    assert [v.name for v in environment_variable_list(workspace=workspace)] == ["obs_bucket"]
