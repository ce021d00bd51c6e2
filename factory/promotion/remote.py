"""Promotion to a remote console or DataArts Studio, through its v1 API and Huawei's official SDK
(``huaweicloudsdkdgc``), so that the same code promotes to this console on another server and to a real
DataArts Studio.

Two background steps (``factory.promotion.tasks``), each on the ``Promotion`` row:

**The change-set** (``remote_preview_run``): the package is built as for a local target (the selection
with what it depends on, nothing downloaded), read, and each of its jobs, scripts and resources is made
into the document the remote would end with: the profile's maps and parameters applied (as the remote's
import applies them), its rewrite rules and time zone (the v1 import has no hook for them, so they are
applied here, in the package). The target's current objects are read through the v1 API (``ShowJob``, ``ShowScript``,
``ListResources``/``ShowResource``) and each object is classified new / changed / unchanged with the
project's structural diff (``factory.packages.diff``, the local preview's). Keys the target adds to what it
shows (ids, owners, versions, times) are not compared: only those the package's document has. The package
that goes is then written with the **new and changed objects only** (unchanged ones are not sent, so a
promotion without changes writes nothing on the remote, no new version), and staged in OBS under the
profile's folder as ``promotion-<id>-<random>.zip`` (the workspace's OBS allow-list applies; an object
is never overwritten). What is staged is what an approver approves: its sha256 is on the row.

**The apply** (``remote_apply_run``): ``ImportJob`` with the staged path, ``sameNamePolicy`` from the
profile's duplicate policy, ``targetStatus``, ``params`` (the public parameters), ``jobsParam`` (each
job's own) and ``resources`` (the reference maps DataArts' import takes: data connections of the types it
names, DLI queues, DIS streams, CDM and MRS clusters, GES graphs); then ``ListSystemTasks`` (DataArts'
``system-tasks/{id}``) until the task ends. Its status, message and subtasks are kept on the row.

What DataArts' import has no field for is said in the promotion's message, never silently dropped: maps of
scripts and resources (and of connections of a type it does not name) are applied in the package
instead, and so is the time zone (``expressionTimeZone`` of every cron schedule); the environment-variable
overrides, the lock policy and releasing locks and the schedule policy are not applied on a remote target.

Every failure (the network, a 401 for a wrong key, a refused import) ends the promotion with a message
naming the endpoint and the reason; no key is ever in a message or a log.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdgc.v1.dgc_client import DgcClient
from huaweicloudsdkdgc.v1.model import (
    ImportFileReq,
    ImportJobRequest,
    JobResourceInfo,
    ListResourcesRequest,
    ListSystemTasksRequest,
    ShowJobRequest,
    ShowResourceRequest,
    ShowScriptRequest,
)

from factory.development.nodes import (
    CONNECTION,
    DATAARTS_RESOURCE_TYPES,
    job_references,
    job_references_rewrite,
    script_references,
)
from factory.development.rewriting import job_document_rewrite, script_document_rewrite
from factory.development.selectors.diffs import NODE_SENSITIVE_PROPERTIES
from factory.errors import DomainError
from factory.obs import ObsError, obs_delete, obs_download_to, obs_exists, obs_path_parse, obs_write_stream
from factory.packages import (
    ConnectionEntry,
    JobEntry,
    ManifestInfo,
    Package,
    ResourceEntry,
    ScriptEntry,
    job_document_redact,
    package_read,
    package_write,
)
from factory.packages.diff import job_diff, resource_diff, script_diff
from factory.packages.overrides import schedule_time_zone_set
from factory.transfer.exports import ExportRequest, export_write
from factory.transfer.imports import package_limits
from factory.workspaces.obs import workspace_obs_path

from .models import (
    DuplicatePolicy,
    EnvironmentProfile,
    LockPolicy,
    Promotion,
    PromotionState,
    SchedulePolicy,
    TargetKind,
    TargetStatus,
)
from .selectors import profile_mapping, profile_rules, profile_values

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# DataArts' ``sameNamePolicy`` and ``targetStatus`` for the profile's policies.
SAME_NAME_POLICY = {DuplicatePolicy.OVERWRITE: "OVERWRITE", DuplicatePolicy.SKIP: "SKIP"}
TARGET_STATUS = {"submitted": "SUBMITTED", "saved": "SAVED"}
# The v1 ``resources`` type of a reference map: (kind, connection type or None) -> DataArts' type.
V1_RESOURCE_TYPES: dict[tuple[str, str | None], str] = {
    (kind, connection_type): v1_type for v1_type, (kind, connection_type) in DATAARTS_RESOURCE_TYPES.items()
}
# What DataArts answers for an object that does not exist (ShowJob, ShowScript, ShowResource).
NOT_FOUND_CODES = frozenset({"DLF.0100", "DLF.6201", "DLF.6241"})
TASK_RUNNING = frozenset({"RUNNING", "WAITING", "PENDING", "INIT"})
PAGE = 100


class RemoteFailure(Exception):
    """A remote call that failed: ``message`` names the endpoint and the reason, never a key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the client ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    """The profile's remote target with its keys, and the SDK client signed with them."""

    endpoint: str
    project_id: str
    workspace: str | None
    client: DgcClient = field(repr=False)

    @property
    def label(self) -> str:
        where = f"project {self.project_id}" + (f", workspace {self.workspace}" if self.workspace else "")
        return f"{self.endpoint} ({where})"


def remote_label(profile: EnvironmentProfile) -> str:
    where = f"project {profile.remote_project_id}" + (
        f", workspace {profile.remote_workspace_id}" if profile.remote_workspace_id else ""
    )
    return f"{profile.remote_endpoint} ({where})"


def remote_connect(*, profile: EnvironmentProfile) -> Remote:
    """The SDK's ``DgcClient`` on the profile's endpoint, signed with its AK/SK (decrypted here only)."""
    values = profile_values(profile=profile)
    if not values.access_key or not values.secret_key:
        raise RemoteFailure(
            f"Profile {profile.name} has no access key or secret key for {remote_label(profile)}: "
            "type them again in the profile."
        )
    config = HttpConfig.get_default_config()
    config.timeout = (
        settings.PROMOTION_REMOTE_CONNECT_TIMEOUT,
        settings.PROMOTION_REMOTE_READ_TIMEOUT,
    )
    config.retry_times = 0
    client = (
        DgcClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(values.access_key, values.secret_key, profile.remote_project_id))
        .with_endpoint(profile.remote_endpoint)
        .build()
    )
    return Remote(
        endpoint=profile.remote_endpoint,
        project_id=profile.remote_project_id,
        workspace=profile.remote_workspace_id or None,
        client=client,
    )


def _reason(exc: SdkException) -> str:
    """What went wrong, in words; the SDK's messages name no key (its signer's headers are not in them)."""
    if isinstance(exc, ServiceResponseException):
        code = f" {exc.error_code}" if exc.error_code else ""
        if exc.status_code == 401:
            return f"it refused the access key or its signature (401{code}): check the profile's access key and secret key"
        if exc.status_code == 403:
            return f"the access key's user may not do this there (403{code})"
        return f"it answered {exc.status_code}{code}: {exc.error_msg or 'no message'}"
    if isinstance(exc, RequestTimeoutException):
        return "it did not answer in time"
    if isinstance(exc, ConnectionException):
        return "it cannot be reached (connection refused, unknown host or TLS failure)"
    return f"{type(exc).__name__}"


def _call(remote: Remote, what: str, method: str, request: Any) -> Any:
    try:
        return getattr(remote.client, method)(request)
    except SdkException as exc:
        raise RemoteFailure(f"{what} on {remote.label} failed: {_reason(exc)}.") from exc


def _raw(response: Any) -> dict[str, Any]:
    """The answer's JSON as sent (the SDK's models keep only the fields they know)."""
    value = response.to_json_object() if getattr(response, "raw_content", None) else None
    return value if isinstance(value, dict) else {}


def _shown(remote: Remote, what: str, method: str, request: Any) -> dict[str, Any] | None:
    """An object read through the v1 API, or None when the remote has none of that name."""
    try:
        return _raw(getattr(remote.client, method)(request))
    except ClientRequestException as exc:
        if exc.status_code == 404 or exc.error_code in NOT_FOUND_CODES:
            return None
        raise RemoteFailure(f"Reading {what} on {remote.label} failed: {_reason(exc)}.") from exc
    except SdkException as exc:
        raise RemoteFailure(f"Reading {what} on {remote.label} failed: {_reason(exc)}.") from exc


def _resources_by_name(remote: Remote, names: set[str]) -> dict[str, dict[str, Any]]:
    """The remote's resources named in ``names``, as ShowResource gives them (ListResources finds ids)."""
    found: dict[str, str] = {}
    offset = 0
    while names - set(found):
        page = _raw(
            _call(
                remote,
                "Listing the resources",
                "list_resources",
                ListResourcesRequest(workspace=remote.workspace, limit=PAGE, offset=offset),
            )
        )
        rows = page.get("resources") or []
        for row in rows:
            if isinstance(row, dict) and row.get("name") in names and row.get("id"):
                found[str(row["name"])] = str(row["id"])
        offset += len(rows)
        if not rows or offset >= int(page.get("total") or 0):
            break
    shown = {}
    for name, resource_id in found.items():
        document = _shown(
            remote,
            f"resource {name}",
            "show_resource",
            ShowResourceRequest(workspace=remote.workspace, resource_id=resource_id),
        )
        if document is not None:
            shown[name] = document
    return shown


# --- what the remote would end with ----------------------------------------------------------------------


@dataclass
class RemoteObject:
    """One object of the package: the document staged (the package-side maps and the rewrite rules
    applied), the document the remote would end with (its import's maps and parameters too), and its
    change against the remote's current one."""

    type: str
    name: str
    staged: dict[str, Any]
    after: dict[str, Any]
    scripts: list[str] = field(default_factory=list)
    change: str = NEW
    message: str = ""

    def row(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "change": self.change, "message": self.message}


@dataclass
class RemotePlan:
    """The package read and fitted to the remote: what is sent, and what the import's call says."""

    objects: list[RemoteObject]
    connections: list[ConnectionEntry]
    environment: list[dict[str, Any]] | None
    sent_mapping: dict[tuple[str, str], tuple[str, str]]  # (kind, old) -> (v1 type, new)
    public_params: dict[str, str]
    job_params: dict[str, dict[str, str]]
    notes: list[str]

    @property
    def summary(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for obj in self.objects:
            counts[obj.change] += 1
        return counts

    @property
    def to_send(self) -> list[RemoteObject]:
        return [obj for obj in self.objects if obj.change != UNCHANGED]


def _params_set(document: dict[str, Any], values: dict[str, str]) -> None:
    """Set the values of the job's parameters named in ``values`` (as the import's ``params`` and
    ``jobsParam`` do: only parameters the job has)."""
    params = document.get("params")
    if values and isinstance(params, list):
        document["params"] = [
            {**p, "value": values[p["name"]]} if isinstance(p, dict) and p.get("name") in values else p
            for p in params
        ]


def _connection_types(package: Package) -> dict[str, str]:
    types = {}
    for conn in package.connections:
        document = conn.document
        if isinstance(document, dict) and document.get("type"):
            types[conn.name] = str(document["type"])
    return types


def _mappings_split(
    *, profile: EnvironmentProfile, package: Package, referenced: set[tuple[str, str]]
) -> tuple[dict[tuple[str, str], tuple[str, str]], dict[tuple[str, str], str], list[str]]:
    """The profile's maps for what the package references: those DataArts' import takes in its
    ``resources`` field ((kind, old) -> (v1 type, new)), and those applied in the package instead."""
    types = _connection_types(package)
    stated = {(m["kind"], m["name"]): m.get("connectionType") for m in profile.mappings or []}
    sent: dict[tuple[str, str], tuple[str, str]] = {}
    in_package: dict[tuple[str, str], str] = {}
    for (kind, name), new in profile_mapping(profile=profile).items():
        if (kind, name) not in referenced or new == name:
            continue
        connection_type = (stated.get((kind, name)) or types.get(name)) if kind == CONNECTION else None
        v1_type = V1_RESOURCE_TYPES.get((kind, connection_type))
        if v1_type is None and kind == CONNECTION and connection_type:
            v1_type = next(
                (
                    t
                    for (k, c), t in V1_RESOURCE_TYPES.items()
                    if k == CONNECTION and (c or "").lower() == connection_type.lower()
                ),
                None,
            )
        if v1_type is not None:
            sent[(kind, name)] = (v1_type, new)
        else:
            in_package[(kind, name)] = new
    notes = []
    if in_package:
        listed = ", ".join(f"{kind} {name} -> {new}" for (kind, name), new in sorted(in_package.items()))
        notes.append(
            f"DataArts' import has no replacement field for {listed}: renamed in the staged package instead."
        )
    return sent, in_package, notes


def _policy_notes(profile: EnvironmentProfile) -> list[str]:
    """What the profile says that DataArts' v1 import has no field for."""
    values = profile_values(profile=profile)
    dropped = []
    if values.environment_variables:
        dropped.append(f"environment-variable overrides ({', '.join(sorted(values.environment_variables))})")
    if profile.lock_policy != LockPolicy.TAKE:
        dropped.append("the lock policy (skip locked objects)")
    if profile.release_locks:
        dropped.append("releasing the locks")
    if profile.schedule_policy == SchedulePolicy.KEEP_TARGET_SCHEDULES:
        dropped.append("keeping the target's schedules (DataArts refuses to overwrite a scheduled job)")
    if not dropped:
        return []
    return [f"Not applied, DataArts' import has no field for them: {'; '.join(dropped)}."]


def _fitted(*, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The remote's document with only the keys the package's has: what the target adds to what it shows
    (ids, owners, versions, times, ``downstreamJobs``...) is no change."""
    return {key: value for key, value in before.items() if key in after}


def _classify(obj: RemoteObject, before: dict[str, Any] | None) -> None:
    if before is None:
        obj.change, obj.message = NEW, ""
        return
    before = _fitted(before=before, after=obj.after)
    if obj.type == "job":
        diff: Any = job_diff(before, obj.after, sensitive_properties=NODE_SENSITIVE_PROPERTIES)
        changed = diff.changed
        if not changed and job_document_redact(document=obj.after) != obj.after:
            obj.change = CHANGED
            obj.message = "The package carries a secret value, which is compared only as set or not: sent."
            return
        if changed:
            summary = diff.summary()
            obj.message = ", ".join(f"{v} {k}" for k, v in summary.items() if v)
    elif obj.type == "script":
        diff = script_diff(before, obj.after)
        changed = diff.changed
        if changed:
            obj.message = f"{diff.lines_added} lines added, {diff.lines_removed} removed, {len(diff.properties)} properties"
    else:
        diff = resource_diff(before, obj.after)
        changed = diff.changed
        if changed:
            obj.message = f"{len(diff.properties)} properties"
    obj.change = CHANGED if changed else UNCHANGED


def _submitted_check(remote: Remote, obj: RemoteObject) -> None:
    """A job whose development state is the package's but whose latest submitted version is not (or that
    was never submitted) is changed: the import submits it (as the local change-set says)."""
    try:
        answer = remote.client.show_job(
            ShowJobRequest(workspace=remote.workspace, job_name=obj.name, get_job_submit_version=True)
        )
        submitted: dict[str, Any] | None = _raw(answer)
    except ClientRequestException as exc:
        if exc.status_code not in (400, 404):  # 400/404: no submitted version (DataArts' answers vary)
            raise RemoteFailure(
                f"Reading the submitted version of job {obj.name} on {remote.label} failed: {_reason(exc)}."
            ) from exc
        submitted = None
    except SdkException as exc:
        raise RemoteFailure(
            f"Reading the submitted version of job {obj.name} on {remote.label} failed: {_reason(exc)}."
        ) from exc
    if submitted is not None:
        fitted = _fitted(before=submitted, after=obj.after)
        if not job_diff(fitted, obj.after, sensitive_properties=NODE_SENSITIVE_PROPERTIES).changed:
            return
    obj.change = CHANGED
    obj.message = "Its development state is the package's but not submitted: the import submits it."


def remote_plan(*, profile: EnvironmentProfile, package: Package, remote: Remote | None) -> RemotePlan:
    """The package fitted to the remote (and classified against it when ``remote`` is given)."""
    rules = tuple(profile_rules(profile=profile))
    values = profile_values(profile=profile)
    jobs = [(entry, entry.document) for entry in package.jobs]
    scripts = [(entry, entry.document) for entry in package.scripts]
    referenced: set[tuple[str, str]] = set()
    for _, document in jobs:
        if isinstance(document, dict):
            referenced |= {(ref.kind, ref.name) for ref in job_references(document)}
    for _, document in scripts:
        if isinstance(document, dict):
            referenced |= {(ref.kind, ref.name) for ref in script_references(document)}
    sent, in_package, notes = _mappings_split(profile=profile, package=package, referenced=referenced)
    sent_plain = {key: new for key, (_, new) in sent.items()}

    objects: list[RemoteObject] = []
    for resource in package.resources:
        document = dict(resource.document) if isinstance(resource.document, dict) else {}
        objects.append(RemoteObject("resource", resource.name, staged=document, after=document))
    for script, document in scripts:
        staged = dict(document) if isinstance(document, dict) else {}
        for ref in script_references(staged):
            if ref.property and (ref.kind, ref.name) in in_package:
                staged[ref.property] = in_package[(ref.kind, ref.name)]
        if rules:
            staged = script_document_rewrite(document=staged, rules=rules).document
        after = dict(staged)
        for ref in script_references(after):
            if ref.property and (ref.kind, ref.name) in sent_plain:
                after[ref.property] = sent_plain[(ref.kind, ref.name)]
        objects.append(RemoteObject("script", script.name, staged=staged, after=after))
    job_names = {job.name for job, _ in jobs}
    job_params = {job: params for job, params in values.job_params.items() if job in job_names}
    for job, document in jobs:
        source = document if isinstance(document, dict) else {}
        staged = job_references_rewrite(source, mapping=in_package) if in_package else dict(source)
        if rules:
            staged = job_document_rewrite(document=staged, rules=rules).document
        if profile.expression_time_zone:
            staged = schedule_time_zone_set(dict(staged), profile.expression_time_zone)
        after = job_references_rewrite(staged, mapping=sent_plain) if sent_plain else dict(staged)
        _params_set(after, dict(values.public_params))
        _params_set(after, job_params.get(job.name, {}))
        objects.append(RemoteObject("job", job.name, staged=staged, after=after, scripts=list(job.scripts)))

    if remote is not None:
        resources = _resources_by_name(remote, {o.name for o in objects if o.type == "resource"})
        for obj in objects:
            if obj.type == "job":
                before = _shown(
                    remote,
                    f"job {obj.name}",
                    "show_job",
                    ShowJobRequest(workspace=remote.workspace, job_name=obj.name),
                )
            elif obj.type == "script":
                before = _shown(
                    remote,
                    f"script {obj.name}",
                    "show_script",
                    ShowScriptRequest(workspace=remote.workspace, script_name=obj.name),
                )
            else:
                before = resources.get(obj.name)
            _classify(obj, before)
            if (
                obj.type == "job"
                and obj.change == UNCHANGED
                and profile.target_status == TargetStatus.SUBMITTED
            ):
                _submitted_check(remote, obj)
    if profile.duplicate_policy == DuplicatePolicy.SKIP and any(o.change == CHANGED for o in objects):
        notes.append(
            "The profile skips existing names: the changed objects are sent but the remote keeps its own."
        )
    return RemotePlan(
        objects=objects,
        connections=[
            ConnectionEntry(name=c.name, document=c.document)
            for c in package.connections
            if isinstance(c.document, dict)
        ],
        environment=package.environment,
        sent_mapping=sent,
        public_params=dict(values.public_params),
        job_params={
            obj.name: {
                k: v
                for k, v in job_params[obj.name].items()
                if k in {p.get("name") for p in _params(obj.staged)}
            }
            for obj in objects
            if obj.type == "job" and obj.name in job_params
        },
        notes=notes + _policy_notes(profile),
    )


def _params(document: dict[str, Any]) -> list[dict[str, Any]]:
    params = document.get("params")
    return [p for p in params if isinstance(p, dict)] if isinstance(params, list) else []


# --- the package -----------------------------------------------------------------------------------------


@contextmanager
def _built(*, promotion: Promotion, user: User) -> Iterator[Package]:
    """The selection's package (with its dependencies), built in a temporary folder and read."""
    request = ExportRequest.from_params(promotion.selection)
    with tempfile.TemporaryDirectory(prefix="promotion-") as folder:
        written = export_write(workspace=promotion.workspace, user=user, request=request, out=Path(folder))
        with package_read(source=written.location, limits=package_limits()) as package:
            yield package


@contextmanager
def _staged_read(*, promotion: Promotion) -> Iterator[Package]:
    """The package staged for the promotion, read back from OBS: what the import's call is made for."""
    path = obs_path_parse(promotion.staged_path, field="stagedPath")
    limits = package_limits()
    with tempfile.TemporaryFile(prefix="promotion-") as handle:
        obs_download_to(path=path, fileobj=handle, max_bytes=limits.max_packed_bytes)
        handle.seek(0)
        with package_read(source=handle, limits=limits) as package:
            yield package


def _staged_chunks(*, plan: RemotePlan, promotion: Promotion, user: User) -> Iterator[bytes]:
    sent = plan.to_send
    sent_scripts = {o.name for o in sent if o.type == "script"}
    return package_write(
        layout="single",
        jobs=[
            JobEntry(name=o.name, document=o.staged, scripts=[s for s in o.scripts if s in sent_scripts])
            for o in sent
            if o.type == "job"
        ],
        scripts=[ScriptEntry(name=o.name, document=o.staged) for o in sent if o.type == "script"],
        resources=[ResourceEntry(name=o.name, document=o.staged) for o in sent if o.type == "resource"],
        connections=plan.connections,
        environment=plan.environment,
        manifest=ManifestInfo(
            scope="with_dependencies",
            job_status="develop",
            workspace=promotion.workspace.name,
            user=user.get_username(),
            exported_at=timezone.now().isoformat(),
        ),
    )


def _stage(
    *, plan: RemotePlan, promotion: Promotion, profile: EnvironmentProfile, user: User
) -> tuple[str, str]:
    """Write the package of what changes to OBS under the profile's folder, as a new object: (path, sha256)."""
    folder = workspace_obs_path(
        workspace=promotion.workspace, value=profile.remote_obs_folder, field="target.obsFolder"
    )
    target = folder.child(f"promotion-{promotion.pk}-{secrets.token_hex(6)}.zip")
    if obs_exists(path=target):  # never replace an object (a name is never made twice, but check)
        raise RemoteFailure(f"An object already exists at {target}; nothing was staged.")
    digest = hashlib.sha256()

    def hashed() -> Iterator[bytes]:
        for chunk in _staged_chunks(plan=plan, promotion=promotion, user=user):
            digest.update(chunk)
            yield chunk

    obs_write_stream(path=target, chunks=hashed())
    return str(target), digest.hexdigest()


# --- the steps ---------------------------------------------------------------------------------------------


def _fail(promotion_id: int, message: str) -> None:
    Promotion.objects.filter(pk=promotion_id).update(
        state=PromotionState.FAILED, message=message[:1024], updated_at=timezone.now()
    )


def _claimed(promotion_id: int, state: str) -> Promotion | None:
    with transaction.atomic():
        row = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if row is None or row.state != state:
            return None  # gone, or done by a message delivered before
        return row


def remote_dry_run(
    *, workspace: Any, user: User, profile: EnvironmentProfile, request: ExportRequest
) -> dict[str, Any]:
    """What promoting to the remote would change, read now; nothing staged, nothing written:
    ``{"summary": {...}, "objects": [...], "notes": [...]}``."""
    with tempfile.TemporaryDirectory(prefix="promotion-") as folder:
        written = export_write(workspace=workspace, user=user, request=request, out=Path(folder))
        with package_read(source=written.location, limits=package_limits()) as package:
            try:
                plan = remote_plan(profile=profile, package=package, remote=remote_connect(profile=profile))
            except RemoteFailure as exc:
                from factory.errors import ErrorCode, ServiceUnavailable

                raise ServiceUnavailable(exc.message, code=ErrorCode.REMOTE_FAILED) from exc
    return {"summary": plan.summary, "objects": [o.row() for o in plan.objects], "notes": plan.notes}


def remote_preview_run(*, promotion_id: int) -> None:
    """The change-set against the remote, and the package of what changes staged in OBS (see the module)."""
    row = _claimed(promotion_id, PromotionState.PREPARING)
    if row is None:
        return
    profile, user = row.profile, row.requested_by
    if profile is None or user is None:
        _fail(promotion_id, "The profile or the requester's account was deleted; promote again.")
        return
    label = remote_label(profile)
    try:
        remote = remote_connect(profile=profile)
        with _built(promotion=row, user=user) as package:
            plan = remote_plan(profile=profile, package=package, remote=remote)
            staged, sha256 = ("", "")
            if plan.to_send:
                staged, sha256 = _stage(plan=plan, promotion=row, profile=profile, user=user)
    except RemoteFailure as exc:
        _fail(promotion_id, exc.message)
        return
    except ObsError as exc:
        _fail(promotion_id, f"The package could not be staged in OBS for {label}: {exc.message}")
        return
    except DomainError as exc:
        _fail(promotion_id, f"The package could not be built: {exc.message}")
        return
    except Exception:
        logger.exception("The change-set of promotion %s against %s failed", promotion_id, label)
        _fail(
            promotion_id,
            f"The change-set against {label} could not be made (an unexpected error; see the log).",
        )
        raise
    summary = plan.summary
    sent = len(plan.to_send)
    head = f"{summary[NEW]} new, {summary[CHANGED]} changed, {summary[UNCHANGED]} unchanged on {label}" + (
        f"; {sent} staged at {staged}." if sent else "; nothing to send."
    )
    with transaction.atomic():
        locked = Promotion.objects.select_for_update().get(pk=promotion_id)
        if locked.state != PromotionState.PREPARING:  # rejected meanwhile
            return
        locked.changes = summary
        locked.object_rows = [o.row() for o in plan.objects]
        locked.staged_path = staged
        locked.package_sha256 = sha256
        locked.state = (
            PromotionState.WAITING_APPROVAL if locked.requires_approval else PromotionState.PREVIEWING
        )
        locked.message = " ".join([head, *plan.notes])[:1024]
        locked.save()


def _import_request(
    *, plan_rows: dict[str, Any], promotion: Promotion, profile: EnvironmentProfile
) -> ImportJobRequest:
    return ImportJobRequest(
        workspace=profile.remote_workspace_id or None,
        body=ImportFileReq(
            path=promotion.staged_path,
            same_name_policy=SAME_NAME_POLICY.get(DuplicatePolicy(profile.duplicate_policy), "OVERWRITE"),
            target_status=TARGET_STATUS.get(profile.target_status, "SUBMITTED"),
            params=plan_rows["params"] or None,
            jobs_param=[{"name": job, "params": params} for job, params in plan_rows["jobsParam"].items()]
            or None,
            resources=[
                JobResourceInfo(name=name, type=v1_type, replace=new)
                for (_, name), (v1_type, new) in sorted(plan_rows["resources"].items())
            ]
            or None,
        ),
    )


def _wait(remote: Remote, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + settings.PROMOTION_REMOTE_WAIT_SECONDS
    interval = settings.PROMOTION_REMOTE_POLL_SECONDS
    while True:
        task = _raw(
            _call(
                remote,
                f"Following the import's system task {task_id}",
                "list_system_tasks",
                ListSystemTasksRequest(workspace=remote.workspace, task_id=task_id),
            )
        )
        if str(task.get("status") or "").upper() not in TASK_RUNNING:
            return task
        if time.monotonic() > deadline:
            raise RemoteFailure(
                f"The import's system task {task_id} on {remote.label} was still running after "
                f"{settings.PROMOTION_REMOTE_WAIT_SECONDS} s; see it there."
            )
        time.sleep(interval)


def _outcomes(
    rows: list[dict[str, Any]], subtasks: list[dict[str, Any]], task_status: str
) -> list[dict[str, Any]]:
    """Each object's row with the subtask that names it (DataArts' subtasks name the object)."""
    out = []
    for row in rows:
        if row["change"] == UNCHANGED:
            out.append({**row, "status": "UNCHANGED", "report": "Not sent: unchanged on the remote."})
            continue
        match = next(
            (
                s
                for s in subtasks
                if f" {row['name']} " in f" {s.get('name') or ''} ".replace(".", " ")
                and row["type"] in str(s.get("name") or "").lower()
            ),
            None,
        )
        status = str((match or {}).get("status") or task_status)
        out.append({**row, "status": status, "report": str((match or {}).get("message") or "")})
    return out


def _import_ask(*, remote: Remote, promotion: Promotion, profile: EnvironmentProfile) -> str:
    """``ImportJob`` of the staged package, its fields made for what is staged: its task id."""
    with _staged_read(promotion=promotion) as package:
        plan = remote_plan(profile=profile, package=package, remote=None)
    call = {
        "params": plan.public_params,
        "jobsParam": {job: params for job, params in plan.job_params.items() if params},
        "resources": plan.sent_mapping,
    }
    answer = _raw(
        _call(
            remote,
            "The import",
            "import_job",
            _import_request(plan_rows=call, promotion=promotion, profile=profile),
        )
    )
    task_id = str(answer.get("taskId") or answer.get("task_id") or "")
    if not task_id:
        raise RemoteFailure(f"The import on {remote.label} answered no task id.")
    return task_id


def remote_stale_fail(*, workspace_id: int) -> int:
    """Remote promotions left preparing or applying longer than a task may run have no worker any more
    (it was stopped): failed, so that the Deployments room does not wait for ever. Run when they are read."""
    limit = settings.CELERY_TASK_TIME_LIMIT + getattr(settings, "PROMOTION_REMOTE_WAIT_SECONDS", 1800)
    return Promotion.objects.filter(
        workspace_id=workspace_id,
        target_kind=TargetKind.REMOTE,
        state__in=(PromotionState.PREPARING, PromotionState.APPLYING),
        updated_at__lt=timezone.now() - timedelta(seconds=limit),
    ).update(
        state=PromotionState.FAILED,
        message="Its background task stopped (the worker was lost); see the remote's system tasks, then promote again.",
        updated_at=timezone.now(),
    )


def remote_apply_run(*, promotion_id: int) -> None:
    """``ImportJob`` with the staged package and the profile's fields, then its system task followed to
    the end; the outcome on the row."""
    row = _claimed(promotion_id, PromotionState.APPLYING)
    if row is None:
        return
    profile = row.profile
    if profile is None:
        _fail(promotion_id, "The profile was deleted; nothing was sent.")
        return
    rows = list(row.object_rows or [])
    unchanged = sum(1 for r in rows if r.get("change") == UNCHANGED)
    if not row.staged_path:
        Promotion.objects.filter(pk=promotion_id).update(
            state=PromotionState.SUCCEEDED,
            counts={"unchanged": unchanged},
            object_rows=_outcomes(rows, [], "UNCHANGED"),
            message=f"Nothing written on {remote_label(profile)}: every object is unchanged there.",
            applied_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return
    try:
        remote = remote_connect(profile=profile)
        task_id = row.remote_task_id
        if not task_id:  # else: a message delivered again after a worker stopped; the import was asked for
            task_id = _import_ask(remote=remote, promotion=row, profile=profile)
            Promotion.objects.filter(pk=promotion_id).update(
                remote_task_id=task_id, updated_at=timezone.now()
            )
        task = _wait(remote, task_id)
    except RemoteFailure as exc:
        _fail(promotion_id, exc.message)
        return
    except DomainError as exc:
        _fail(promotion_id, f"The staged package {row.staged_path} could not be read: {exc.message}")
        return
    except Exception:
        logger.exception("Promotion %s to %s stopped unexpectedly", promotion_id, remote_label(profile))
        _fail(
            promotion_id,
            f"The import on {remote_label(profile)} stopped unexpectedly; see its system task there.",
        )
        raise
    status = str(task.get("status") or "").upper()
    subtasks = [s for s in task.get("subtasks") or [] if isinstance(s, dict)]
    failed = [s for s in subtasks if str(s.get("status") or "").upper() == "FAILED"]
    outcomes = _outcomes(rows, subtasks, status)
    counts = {
        "created": sum(1 for r in outcomes if r["change"] == NEW and r["status"] == "SUCCESSFUL"),
        "overwritten": sum(1 for r in outcomes if r["change"] == CHANGED and r["status"] == "SUCCESSFUL"),
        "unchanged": unchanged,
        "failed": sum(1 for r in outcomes if r["status"] == "FAILED"),
    }
    ok = status == "SUCCESSFUL" and not failed
    reason = str(task.get("message") or "")
    if not ok and failed:
        reason = "; ".join(f"{s.get('name')}: {s.get('message') or 'failed'}" for s in failed[:5])
    message = (
        f"Imported on {remote_label(profile)} (system task {task_id}): {reason or status}"
        if ok
        else f"The import on {remote_label(profile)} ended {status or 'without a status'}: {reason or 'no message'}"
    )
    Promotion.objects.filter(pk=promotion_id).update(
        state=PromotionState.SUCCEEDED if ok else PromotionState.FAILED,
        counts=counts,
        object_rows=outcomes,
        message=message[:1024],
        applied_at=timezone.now(),
        updated_at=timezone.now(),
    )


def remote_discard(promotion: Promotion) -> None:
    """A rejected promotion's staged package is deleted from OBS (best effort: a failure is logged)."""
    if not promotion.staged_path:
        return
    try:
        obs_delete(path=obs_path_parse(promotion.staged_path, field="stagedPath"))
    except ObsError as exc:
        logger.warning(
            "Could not delete %s after promotion %s was rejected: %s",
            promotion.staged_path,
            promotion.pk,
            exc.message,
        )
