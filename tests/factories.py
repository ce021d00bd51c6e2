"""factory_boy factories for the console's models. Documents are valid DataArts job definitions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from django.contrib.auth import get_user_model

from factory.connections.models import DataConnection, ExternalObject, ExternalObjectKind
from factory.development.models import EnvironmentVariable, Job, Resource, Script
from factory.workspaces.models import Membership, Role, Workspace


def _load_factory_boy():
    """factory_boy's package is called ``factory``, which the project package shadows: load it under
    the name ``factory_boy`` instead (it only uses relative imports internally)."""
    if "factory_boy" in sys.modules:
        return sys.modules["factory_boy"]
    import django  # noqa: F401 - any installed distribution locates site-packages

    for base in map(Path, sys.path):
        init = base / "factory" / "__init__.py"
        if init.exists() and (base / "factory" / "django.py").exists():
            spec = importlib.util.spec_from_file_location(
                "factory_boy", init, submodule_search_locations=[str(init.parent)]
            )
            module = importlib.util.module_from_spec(spec)
            sys.modules["factory_boy"] = module
            spec.loader.exec_module(module)
            return module
    raise ImportError("factory_boy is not installed (pip install -r requirements-dev.txt)")


factory = _load_factory_boy()
import factory_boy.django  # noqa: E402,F401 - registers the submodule used below


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"workspace{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.DEVELOPER


def job_document(name: str, *, nodes: list[dict] | None = None, **extra: object) -> dict:
    """A small valid BATCH job: one DWS SQL node unless ``nodes`` is given."""
    doc = {
        "name": name,
        "processType": "BATCH",
        "directory": "/",
        "nodes": nodes
        if nodes is not None
        else [
            {
                "name": "DWS_SQL_1",
                "type": "DWSSQL",
                "location": {"x": 10, "y": 20},
                "preNodeName": [],
                "properties": [
                    {"name": "scriptName", "value": "dws_script"},
                    {"name": "connectionName", "value": "doctest"},
                    {"name": "database", "value": "postgres"},
                ],
            }
        ],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [],
        "basicConfig": {"owner": "", "priority": 0},
    }
    doc.update(extra)
    return doc


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"job_{n}")
    document = factory.LazyAttribute(lambda o: job_document(o.name))
    node_count = factory.LazyAttribute(lambda o: len(o.document.get("nodes", [])))


class ScriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Script

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"script_{n}")
    type = "DWSSQL"
    connection_name = "doctest"
    document = factory.LazyAttribute(
        lambda o: {
            "name": o.name,
            "type": o.type,
            "content": "SELECT 1;",
            "connectionName": o.connection_name,
            "database": "postgres",
            "directory": "/",
            "configuration": {},
            "description": "",
        }
    )


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"res_{n}")
    type = "jar"
    location = factory.LazyAttribute(lambda o: f"obs://dlf-demo/resources/{o.name}.jar")
    document = factory.LazyAttribute(
        lambda o: {"name": o.name, "type": o.type, "location": o.location, "dependFiles": [], "desc": ""}
    )


class DataConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataConnection

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"conn_{n}")
    type = "DWS"
    config = factory.LazyFunction(lambda: {"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"})


class ExternalObjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalObject

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = ExternalObjectKind.DLI_QUEUE
    name = factory.Sequence(lambda n: f"queue_{n}")


class EnvironmentVariableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnvironmentVariable

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"VAR_{n}")
    value = "value"
