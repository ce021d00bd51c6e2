"""Two workspaces holding one object of every kind, built through the real services, and the helpers the
security matrices share: filling a route's path in from either workspace, a snapshot of every row the
console owns (to prove a refused request changed nothing), and signed v1 calls.

Workspace A ("alpha") is the requester's; workspace B ("bravo") is someone else's. Every object of B has
a distinctive name so that a test can assert that none of them appears in an answer given to A.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from factory.connections.environment import environment_variable_create
from factory.connections.models import DataConnection, ExternalObject
from factory.connections.resources import resource_create
from factory.connections.services import connection_create, external_object_create
from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
)
from factory.development.services import (
    directory_create,
    job_create,
    job_submit,
    script_create,
    script_submit,
)
from factory.promotion.models import EnvironmentProfile, Promotion, PromotionState
from factory.promotion.services import profile_create
from factory.promotion.specs import ProfileSpec, ReferenceMapping, RemoteTarget
from factory.transfer.models import ExportArtifact, ImportChange, SystemTask, TaskKind, TaskStatus
from factory.workspaces.models import Role, Workspace
from factory.workspaces.services import access_key_create, membership_set
from tests.builders import job_document, script_document, user_make, workspace_make
from tests.dataarts.sdk import signed_call
from tests.security.routes import Route

JSON = "application/json"


@dataclass
class Side:
    """One workspace with its admin, one object of every kind and an access key of the admin."""

    prefix: str
    workspace: Workspace
    admin: AbstractBaseUser
    directory: Directory
    script: Script
    script_version: ScriptVersion
    job: Job
    job_version: JobVersion
    connection: DataConnection
    external_object: ExternalObject
    resource: Resource
    variable: EnvironmentVariable
    export_task: SystemTask
    artifact: ExportArtifact
    import_task: SystemTask
    import_change: ImportChange  # a previewed object of the import
    access_key_id: str
    secret_key: str
    profile: EnvironmentProfile
    promotion: Promotion  # waiting for approval, requested by an account since deleted
    # A profile of another workspace of the admin's that promotes to this one (the import wizard's).
    inbound_profile: EnvironmentProfile

    def names(self) -> list[str]:
        """Every name of this side a stranger must never read (its ids are not secret)."""
        return [
            self.workspace.name,
            self.admin.username,
            self.directory.name,
            self.script.name,
            self.job.name,
            self.connection.name,
            self.external_object.name,
            self.resource.name,
            self.variable.name,
            self.variable.value,
            self.artifact.file_name,
            self.export_task.name,
            self.import_task.name,
            self.import_task.params["source"]["fileName"],
            self.import_change.name,
            self.profile.name,
            self.profile.remote_endpoint,
            self.inbound_profile.name,
            self.promotion.note,
        ]


@dataclass
class World:
    a: Side
    b: Side
    developer: AbstractBaseUser  # a developer of A
    viewer: AbstractBaseUser  # a viewer of A
    viewer_artifact: ExportArtifact  # a download of the viewer's own (from before they became a viewer)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # username -> (AK, SK)

    @property
    def project_id(self) -> str:
        return self.a.workspace.project_id


def _export_task(
    workspace: Workspace, user: AbstractBaseUser, file_name: str
) -> tuple[SystemTask, ExportArtifact]:
    """A finished background export and its package in the Download Center (rows as the worker leaves
    them; the worker itself is tested elsewhere)."""
    task = SystemTask.objects.create(
        workspace=workspace,
        kind=TaskKind.EXPORT,
        name=f"Export {file_name}",
        status=TaskStatus.SUCCESSFUL,
        step="done",
        progress=100,
        message="Exported.",
        params={"category": "job"},
        result={"fileName": file_name},
        created_by=user,
    )
    storage_name = default_storage.save(f"exports/{file_name}", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    artifact = ExportArtifact.objects.create(
        task=task,
        workspace=workspace,
        user=user,
        file_name=file_name,
        storage_name=storage_name,
        size=22,
        job_count=1,
    )
    return task, artifact


def _import_task(workspace: Workspace, user: AbstractBaseUser, file_name: str) -> SystemTask:
    """An import waiting at step 2, as the inspection leaves it."""
    return SystemTask.objects.create(
        workspace=workspace,
        kind=TaskKind.IMPORT,
        name=f"Import {file_name}",
        status=TaskStatus.WAITING,
        step="inspected",
        progress=50,
        message="Inspected.",
        params={
            "category": "job",
            "policy": "overwrite",
            "source": {"type": "upload", "fileName": file_name},
        },
        result={
            "inspection": {"jobs": [], "scripts": [], "resources": [], "connections": [], "missing": []},
            "report": {"objects": [], "message": "nothing"},
        },
        created_by=user,
    )


def _profile(
    workspace: Workspace, admin: AbstractBaseUser, prefix: str, connection: str
) -> EnvironmentProfile:
    """An environment profile to a remote console, mapping the side's connection."""
    return profile_create(
        workspace=workspace,
        user=admin,
        spec=ProfileSpec(
            name=f"{prefix}_profile",
            target_kind="remote",
            remote=RemoteTarget(
                endpoint=f"https://{prefix}-remote.example.com",
                project_id=f"{prefix}project",
                obs_folder=f"obs://{prefix}-bucket/stage/",
                access_key=f"{prefix.upper()}ACCESSKEY",
                secret_key=f"{prefix}-Remote-Secret",
            ),
            mappings=(ReferenceMapping(kind="connection", name=connection, replace=f"{prefix}_prod_conn"),),
        ),
    )


def _inbound_profile(workspace: Workspace, admin: AbstractBaseUser, prefix: str) -> EnvironmentProfile:
    """A profile of the admin's source workspace ``<prefix>_src_ws`` whose target is ``workspace``."""
    source = workspace_make(f"{prefix}_src_ws", admin=admin)
    return profile_create(
        workspace=source,
        user=admin,
        spec=ProfileSpec(
            name=f"{prefix}_inbound_profile", target_kind="workspace", target_workspace_id=workspace.pk
        ),
    )


def _promotion(workspace: Workspace, profile: EnvironmentProfile, prefix: str) -> Promotion:
    return Promotion.objects.create(
        workspace=workspace,
        profile=profile,
        profile_name=profile.name,
        note=f"{prefix}_promotion_note",
        state=PromotionState.WAITING_APPROVAL,
        requires_approval=True,
    )


def side_build(prefix: str, *, is_default: bool) -> Side:
    admin = user_make(f"{prefix}_admin")
    workspace = workspace_make(f"{prefix}_ws", admin=admin, is_default=is_default)
    connection = connection_create(
        workspace=workspace,
        user=admin,
        name=f"{prefix}_conn",
        type="DWS",
        config={"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        secrets={"password": f"{prefix}-Conn-Pa55word"},
    )
    directory = directory_create(workspace=workspace, user=admin, category="job", path=f"/{prefix}_dir")
    script = script_create(
        workspace=workspace,
        user=admin,
        document=script_document(f"{prefix}_script", connection=connection.name),
    )
    job = job_create(
        workspace=workspace,
        user=admin,
        document=job_document(
            f"{prefix}_job", script=script.name, connection=connection.name, directory=directory.path
        ),
    )
    export_task, artifact = _export_task(workspace, admin, f"{prefix}_export.zip")
    import_task = _import_task(workspace, admin, f"{prefix}_package.zip")
    key, secret = access_key_create(user=admin, workspace=workspace)
    return Side(
        prefix=prefix,
        workspace=workspace,
        admin=admin,
        directory=directory,
        script=script,
        script_version=script_submit(script=script, user=admin),
        job=job,
        job_version=job_submit(job=job, user=admin),
        connection=connection,
        external_object=external_object_create(workspace=workspace, kind="dli_queue", name=f"{prefix}_queue"),
        resource=resource_create(
            workspace=workspace,
            user=admin,
            document={
                "name": f"{prefix}_res",
                "type": "jar",
                "location": f"obs://{prefix}-bucket/{prefix}.jar",
            },
        ),
        variable=environment_variable_create(
            workspace=workspace, name=f"{prefix.upper()}_VAR", value=f"{prefix}_variable_value"
        ),
        export_task=export_task,
        artifact=artifact,
        import_task=import_task,
        import_change=ImportChange.objects.create(
            task=import_task, order=1, object_type="job", name=f"{prefix}_previewed_job", change="new"
        ),
        access_key_id=key.access_key_id,
        secret_key=secret,
        profile=(profile := _profile(workspace, admin, prefix, connection.name)),
        promotion=_promotion(workspace, profile, prefix),
        inbound_profile=_inbound_profile(workspace, admin, prefix),
    )


def world_build() -> World:
    a = side_build("alpha", is_default=True)
    b = side_build("bravo", is_default=False)
    assert a.workspace.project_id == b.workspace.project_id  # one installation is one project
    developer, viewer = user_make("alpha_dev"), user_make("alpha_viewer")
    membership_set(workspace=a.workspace, user=developer, role=Role.DEVELOPER)
    membership_set(workspace=a.workspace, user=viewer, role=Role.VIEWER)
    _, viewer_artifact = _export_task(a.workspace, viewer, "alpha_viewer_export.zip")
    world = World(a=a, b=b, developer=developer, viewer=viewer, viewer_artifact=viewer_artifact)
    world.keys = {
        a.admin.username: (a.access_key_id, a.secret_key),
        b.admin.username: (b.access_key_id, b.secret_key),
    }
    for user in (developer, viewer):
        key, secret = access_key_create(user=user, workspace=a.workspace)
        world.keys[user.username] = (key.access_key_id, secret)
    return world


# --- filling routes in -------------------------------------------------------------------------------


def _version(route: Route, side: Side) -> int:
    if "job_id" in route.kwargs:
        return side.job_version.pk
    if "script_id" in route.kwargs:
        return side.script_version.pk
    raise KeyError(f"{route}: a version of what? (neither job_id nor script_id in the path)")


def _task(route: Route, side: Side) -> str:
    return side.import_task.public_id if ":import-" in route.name else side.export_task.public_id


# Path kwarg -> the object of a side it names. A route with a kwarg missing here fails the matrices:
# teach them the new kind of object (and give each side one) rather than skipping the route.
CONSOLE_KWARGS: dict[str, Callable[[Route, Side], Any]] = {
    "username": lambda route, side: side.admin.username,
    "access_key_id": lambda route, side: side.access_key_id,
    "directory_id": lambda route, side: side.directory.pk,
    "job_id": lambda route, side: side.job.pk,
    "script_id": lambda route, side: side.script.pk,
    "version_id": _version,
    "connection_id": lambda route, side: side.connection.pk,
    "object_id": lambda route, side: side.external_object.pk,
    "resource_id": lambda route, side: side.resource.pk,
    "variable_id": lambda route, side: side.variable.pk,
    "artifact_id": lambda route, side: side.artifact.pk,
    "task_id": _task,
    "change_id": lambda route, side: side.import_change.pk,
    "profile_id": lambda route, side: (
        side.inbound_profile.pk if route.name.endswith("import-profile-choices") else side.profile.pk
    ),
    "promotion_id": lambda route, side: side.promotion.pk,
}

V1_KWARGS: dict[str, Callable[[Route, Side], Any]] = {
    "project_id": lambda route, side: side.workspace.project_id,
    "job_name": lambda route, side: side.job.name,
    "script_name": lambda route, side: side.script.name,
    "instance_id": lambda route, side: "1",
    "task_id": lambda route, side: side.import_task.public_id,
    "resource_id": lambda route, side: str(side.resource.pk),
}


class UnknownKwarg(KeyError):
    pass


def route_values(
    route: Route, *, objects: Side, workspace: Side | None = None, workspace_key: str = "pk"
) -> dict[str, Any]:
    """The path kwargs of ``route``: ``workspace_id`` from ``workspace`` (its pk or public id), every
    other kwarg from ``objects``."""
    fillers = V1_KWARGS if route.pattern.startswith("v1/") else CONSOLE_KWARGS
    values: dict[str, Any] = {}
    for kwarg in route.kwargs:
        if kwarg == "workspace_id":
            values[kwarg] = getattr((workspace or objects).workspace, workspace_key)
        elif kwarg in fillers:
            values[kwarg] = fillers[kwarg](route, objects)
        else:
            raise UnknownKwarg(
                f"{route}: the security matrix does not know the path kwarg {kwarg!r}; add it to "
                f"tests/security/world.py ({'V1' if route.pattern.startswith('v1/') else 'CONSOLE'}_KWARGS) "
                "with an object of that kind on both sides"
            )
    return values


# --- proving that nothing changed --------------------------------------------------------------------

SNAPSHOT_APPS = ("auth", "workspaces", "connections", "development", "transfer", "promotion")
# Columns that a refused request may legitimately touch: a v1 key's last use is recorded once the
# signature is verified, before the workspace is checked.
SNAPSHOT_IGNORED = {("workspaces.accesskey", "last_used_at"), ("auth.user", "last_login")}


def db_snapshot() -> dict[str, list[tuple]]:
    """Every row of the console's tables, every column, in primary-key order."""
    snapshot = {}
    for app_label in SNAPSHOT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            label = model._meta.label_lower
            columns = [
                f.attname for f in model._meta.concrete_fields if (label, f.attname) not in SNAPSHOT_IGNORED
            ]
            snapshot[label] = list(model.objects.order_by("pk").values_list(*columns))
    return snapshot


def snapshot_diff(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    changes = []
    for label, rows in before.items():
        if rows != after[label]:
            gone = [r for r in rows if r not in after[label]]
            new = [r for r in after[label] if r not in rows]
            changes.append(f"{label}: {len(gone)} row(s) changed or removed, {len(new)} new or changed")
    return changes


# --- requests ----------------------------------------------------------------------------------------


def body_text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def console_call(client: Client, method: str, path: str, body: Any = None) -> Any:
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), content_type=JSON)


def v1_call(
    client: Client, *, key: tuple[str, str], method: str, path: str, workspace: str | None, body: Any = None
) -> Any:
    """A request signed with the SDK's own ``Signer``; ``workspace`` is the DataArts ``workspace`` header."""
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"workspace": workspace} if workspace else {}
    return signed_call(client, ak=key[0], sk=key[1], method=method, path=path, headers=headers, body=payload)


def leaked(text: str, names: list[str], *, request_text: str) -> list[str]:
    """The names found in ``text`` that the request did not itself carry (an echo of one's own input
    tells nothing)."""
    return [name for name in names if name in text and name not in request_text]
