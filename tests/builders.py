"""How the tests build their data, in one place: people and workspaces, the documents DataArts keeps (jobs,
scripts, resources), rows of the objects that hold them, and packages to import.

Plain functions: ``<entity>_make`` makes a row, ``<entity>_document`` returns a definition as DataArts
writes it, ``package_<entity>`` one as it sits in a package to import, ``package_bytes`` the package.
People and workspaces are made through the workspaces services, as the console makes them. The other
``*_make`` write the row directly, with valid defaults, for the states and the volumes a test wants
without the services' checks and cost; a test that exercises a service calls the service.

The module imports without Django set up (``tests/hostile/generate.py`` runs as a plain module and builds
packages with it): the models and services are imported inside the functions that make rows.

A world for a specific scenario (the export world in ``tests/transfer/exporting.py``, the two workspaces of
``tests/security/world.py``, the import target in ``tests/transfer/importing.py``) is a function of its
folder that calls these. There is no factory_boy: its package is named ``factory``, which this project's
own package shadows.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from factory.packages import (
    ConnectionEntry,
    JobEntry,
    ManifestInfo,
    ResourceEntry,
    ScriptEntry,
    package_write,
)
from tests.packages.helpers import zip_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from factory.connections.models import DataConnection, ExternalObject
    from factory.development.models import Job, Resource, Script
    from factory.promotion.models import EnvironmentProfile
    from factory.workspaces.models import Workspace

PASSWORD = "pw-for-tests-1"

_serial = itertools.count(1)


def _next_name(prefix: str) -> str:
    return f"{prefix}{next(_serial)}"


# --- people and workspaces -------------------------------------------------------------------------------


@cache
def _password_hash(password: str, hasher: str) -> str:
    # Hashing is deliberately slow (PBKDF2); tests create many users with the same password. Keyed by the
    # hasher too: some tests switch to MD5, and a hash made under it fails a login under the default list.
    return make_password(password)


def user_make(username: str, *, password: str = PASSWORD, **extra: object) -> AbstractBaseUser:
    user = get_user_model()(username=username, **extra)
    user.password = _password_hash(password, settings.PASSWORD_HASHERS[0])
    user.save()
    return user


def member_make(workspace: Workspace, username: str, role: str) -> AbstractBaseUser:
    """The user ``username`` (made when new) with ``role`` in ``workspace``."""
    from factory.workspaces.models import Membership

    user = get_user_model().objects.filter(username=username).first() or user_make(username)
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def workspace_make(
    name: str,
    *,
    admin: AbstractBaseUser | None = None,
    developers: tuple[AbstractBaseUser, ...] = (),
    viewers: tuple[AbstractBaseUser, ...] = (),
    **extra: Any,
) -> Workspace:
    """A workspace made by ``workspace_create`` (``extra``: its lock policy, whether it is the default,
    ...) with these members."""
    from factory.workspaces.models import Role
    from factory.workspaces.services import membership_set, workspace_create

    workspace = workspace_create(name=name, user=admin, **extra)
    for user in developers:
        membership_set(workspace=workspace, user=user, role=Role.DEVELOPER)
    for user in viewers:
        membership_set(workspace=workspace, user=user, role=Role.VIEWER)
    return workspace


def client_for(user: AbstractBaseUser) -> Client:
    """A console client logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


# --- documents -------------------------------------------------------------------------------------------


def node(name: str, type_: str, properties: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A node of a job's canvas; ``extra`` (``preNodeName``, ``location``, ...) replaces or adds keys."""
    return {
        "name": name,
        "type": type_,
        "location": {"x": 10, "y": 20},
        "preNodeName": [],
        "properties": [{"name": k, "value": v} for k, v in (properties or {}).items()],
        **extra,
    }


def job_document(
    name: str,
    *,
    nodes: list[dict[str, Any]] | None = None,
    directory: str = "/",
    script: str = "dws_script",
    connection: str = "doctest",
    **extra: Any,
) -> dict[str, Any]:
    """A small valid BATCH job: unless ``nodes`` is given, one DWS SQL node running ``script`` on
    ``connection``. ``extra`` replaces or adds top-level keys."""
    if nodes is None:
        nodes = [
            node(
                "DWS_SQL_1",
                "DWSSQL",
                {"scriptName": script, "connectionName": connection, "database": "postgres"},
            )
        ]
    document: dict[str, Any] = {
        "name": name,
        "processType": "BATCH",
        "directory": directory,
        "nodes": nodes,
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [],
        "basicConfig": {"owner": "", "priority": 0},
    }
    document.update(extra)
    return document


def two_node_job(name: str, **extra: Any) -> dict[str, Any]:
    """A job whose node "load" runs after the node "extract"."""
    nodes = [
        node("extract", "Dummy", location={"x": 0, "y": 0}),
        node("load", "Dummy", location={"x": 100, "y": 0}, preNodeName=["extract"]),
    ]
    return job_document(name, nodes=nodes, **extra)


def script_document(
    name: str, *, connection: str = "doctest", directory: str = "/", **extra: Any
) -> dict[str, Any]:
    """A DWS SQL script on ``connection``; ``extra`` (``type``, ``content``, ...) replaces or adds keys."""
    document: dict[str, Any] = {
        "name": name,
        "type": "DWSSQL",
        "content": "SELECT 1;",
        "connectionName": connection,
        "database": "postgres",
        "directory": directory,
        "configuration": {},
        "description": "",
    }
    document.update(extra)
    return document


def resource_document(name: str, **extra: Any) -> dict[str, Any]:
    """A jar in OBS; ``extra`` replaces or adds keys."""
    document: dict[str, Any] = {
        "name": name,
        "type": "jar",
        "location": f"obs://dlf-demo/resources/{name}.jar",
        "dependFiles": [],
        "desc": "",
    }
    document.update(extra)
    return document


# --- rows, written directly ------------------------------------------------------------------------------


def job_make(
    *, workspace: Workspace, name: str | None = None, document: dict[str, Any] | None = None, **fields: Any
) -> Job:
    """A job row holding ``document`` (by default a ``job_document``); ``fields`` set columns such as
    ``directory`` or ``owner``. No version, no lock, no check."""
    from factory.development.models import Job

    name = name or _next_name("job_")
    document = document if document is not None else job_document(name)
    return Job.objects.create(
        workspace=workspace,
        name=name,
        document=document,
        node_count=len(document.get("nodes", [])),
        **fields,
    )


def script_make(
    *,
    workspace: Workspace,
    name: str | None = None,
    type: str = "DWSSQL",
    connection_name: str = "doctest",
    **fields: Any,
) -> Script:
    """A script row; its document is a ``script_document`` of the same name, type and connection."""
    from factory.development.models import Script

    name = name or _next_name("script_")
    document = script_document(name, connection=connection_name, type=type)
    return Script.objects.create(
        workspace=workspace,
        name=name,
        type=type,
        connection_name=connection_name,
        document=document,
        **fields,
    )


def resource_make(*, workspace: Workspace, name: str | None = None, **fields: Any) -> Resource:
    """A resource row (a jar in OBS); its document is a ``resource_document`` of the same name."""
    from factory.development.models import Resource

    name = name or _next_name("res_")
    document = resource_document(name)
    return Resource.objects.create(
        workspace=workspace,
        name=name,
        type=document["type"],
        location=document["location"],
        document=document,
        **fields,
    )


def connection_make(
    *,
    workspace: Workspace,
    name: str | None = None,
    type: str = "DWS",
    config: dict[str, Any] | None = None,
    **fields: Any,
) -> DataConnection:
    """A data connection row, without secrets."""
    from factory.connections.models import DataConnection

    return DataConnection.objects.create(
        workspace=workspace,
        name=name or _next_name("conn_"),
        type=type,
        config=config if config is not None else {"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        **fields,
    )


def external_object_make(
    *, workspace: Workspace, kind: str = "dli_queue", name: str | None = None, **fields: Any
) -> ExternalObject:
    """A row of an object DataArts names but does not keep (a DLI queue unless ``kind`` says otherwise)."""
    from factory.connections.models import ExternalObject

    return ExternalObject.objects.create(
        workspace=workspace, kind=kind, name=name or _next_name("queue_"), **fields
    )


def profile_body(name: str = "prod", *, target: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An environment profile as the console API takes it: by default to a remote console (with its keys),
    mapping connection ``dev_dws`` to ``prod_dws`` and rewriting ``dev_dw.`` to ``prod_dw.``; ``extra``
    replaces or adds top-level keys."""
    body: dict[str, Any] = {
        "name": name,
        "description": "",
        "target": target
        or {
            "kind": "remote",
            "endpoint": "https://dataarts.prod.example.com",
            "projectId": "prodproject",
            "remoteWorkspaceId": "prodworkspace",
            "obsFolder": "obs://stage-bucket/promotion/",
            "accessKey": "PRODACCESSKEY0001",
            "secretKey": "Prod-Remote-Secret-1",
        },
        "mappings": [
            {"kind": "connection", "name": "dev_dws", "connectionType": "DWS", "replace": "prod_dws"}
        ],
        "publicParams": [],
        "jobParams": [],
        "environmentVariables": [],
        "rewriteRules": [{"find": "dev_dw.", "replace": "prod_dw.", "regex": False, "wholeWord": True}],
    }
    body.update(extra)
    return body


def profile_make(
    *, workspace: Workspace, user: AbstractBaseUser, name: str | None = None, **extra: Any
) -> EnvironmentProfile:
    """A profile made by ``profile_create`` from a ``profile_body`` (``extra`` replaces its keys)."""
    from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input
    from factory.promotion.services import profile_create

    data = ProfileInputSerializer(data=profile_body(name or _next_name("profile_"), **extra))
    data.is_valid(raise_exception=True)
    return profile_create(workspace=workspace, user=user, spec=spec_from_input(data.validated_data))


# --- packages to import ----------------------------------------------------------------------------------


def package_job(
    name: str, nodes: list[dict[str, Any]] | None = None, directory: str = "/etl", **extra: Any
) -> dict[str, Any]:
    """A job of a package to import: one Dummy node unless ``nodes`` is given, in /etl."""
    return job_document(
        name, nodes=nodes if nodes is not None else [node("n1", "Dummy")], directory=directory, **extra
    )


def package_dws_job(
    name: str, *, connection: str = "doctest", script: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A job of a package to import with one DWS SQL node on ``connection``, running ``script`` or an
    inline statement."""
    properties = {"scriptName": script} if script else {"statement": "SELECT 1;"}
    properties |= {"connectionName": connection, "database": "postgres"}
    return package_job(name, [node("DWS_SQL_1", "DWSSQL", properties)], **extra)


def package_script(
    name: str, connection: str = "doctest", type_: str = "DWSSQL", directory: str = "/sql"
) -> dict[str, Any]:
    """A script of a package to import (as DataArts exports one: no description)."""
    return {
        "name": name,
        "type": type_,
        "content": f"SELECT '{name}';",
        "connectionName": connection,
        "database": "postgres",
        "directory": directory,
        "configuration": {},
    }


def package_resource(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "jar",
        "location": f"obs://dlf-demo/{name}.jar",
        "dependFiles": [],
        "desc": "",
    }


def package_connection(name: str, type_: str = "DWS") -> dict[str, Any]:
    return {"name": name, "type": type_, "config": {"host": "10.0.0.9", "port": 8000, "userName": "dbadmin"}}


def package_bytes(
    *,
    jobs: list[dict[str, Any]] = (),  # type: ignore[assignment]
    scripts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    resources: list[dict[str, Any]] = (),  # type: ignore[assignment]
    connections: list[dict[str, Any]] = (),  # type: ignore[assignment]
    environment: list[dict[str, Any]] | None = None,
    layout: str = "single",
) -> bytes:
    """A package our export would write: with a manifest, the single layout unless told."""
    return b"".join(
        package_write(
            layout=layout,  # type: ignore[arg-type]
            jobs=[JobEntry(d["name"], d) for d in jobs],
            scripts=[ScriptEntry(d["name"], d) for d in scripts],
            resources=[ResourceEntry(d["name"], d) for d in resources],
            connections=[ConnectionEntry(d["name"], d) for d in connections],
            environment=environment,
            manifest=ManifestInfo(
                scope="with_dependencies",
                job_status="develop",
                workspace="src",
                user="alice",
                exported_at="2026-01-01T00:00:00+00:00",
            ),
        )
    )


def dataarts_batch_package(jobs: list[dict[str, Any]], scripts_by_job: dict[str, list[dict]]) -> bytes:
    """A ``jobs.zip`` as DataArts itself writes it: no manifest, a folder per job, scripts beside it."""
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    for doc in jobs:
        entries.append(
            (f"jobs/{doc['name']}/{doc['name']}.job", json.dumps(doc, ensure_ascii=False).encode())
        )
        for s in scripts_by_job.get(doc["name"], []):
            entries.append((f"jobs/{doc['name']}/{s['name']}.script", json.dumps(s).encode()))
    return zip_of(entries)
