"""What the remote would end with: the package fitted to the remote (the profile's maps, parameters,
rewrite rules and time zone) and each object classified new / changed / unchanged against what the
remote's v1 API shows, with the local change-set's structural diff and wording.

The maps DataArts' import takes in its ``resources`` field go there (``RemotePlan.sent_mapping``); the
others (scripts, resources, connections of a type it does not name) are applied in the staged package
and said in the plan's notes, as is what the profile says that the v1 import has no field for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkdgc.v1.model import ShowJobRequest, ShowScriptRequest

from factory.development.nodes import (
    CONNECTION,
    DATAARTS_RESOURCE_TYPES,
    job_references,
    job_references_rewrite,
    script_references,
)
from factory.development.rewriting import job_document_rewrite, script_document_rewrite
from factory.development.selectors.diffs import NODE_SENSITIVE_PROPERTIES
from factory.packages import ConnectionEntry, Package
from factory.packages.diff import job_diff, resource_diff, script_diff
from factory.packages.overrides import job_params_set, schedule_time_zone_set
from factory.transfer.imports import carries_secret, same_state_reason

from ..models import DuplicatePolicy, EnvironmentProfile, LockPolicy, SchedulePolicy, TargetStatus
from ..selectors import profile_mapping, profile_rules, profile_values
from .client import Remote, RemoteFailure, not_found, raw, reason, resources_by_name, shown

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# The v1 ``resources`` type of a reference map: (kind, connection type or None) -> DataArts' type.
V1_RESOURCE_TYPES: dict[tuple[str, str | None], str] = {
    (kind, connection_type): v1_type for v1_type, (kind, connection_type) in DATAARTS_RESOURCE_TYPES.items()
}


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


def _connection_types(package: Package) -> dict[str, str]:
    types = {}
    for conn in package.connections:
        document = conn.document
        if isinstance(document, dict) and document.get("type"):
            types[conn.name] = str(document["type"])
    return types


def _v1_type(kind: str, connection_type: str | None) -> str | None:
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
    return v1_type


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
        v1_type = _v1_type(kind, connection_type)
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
    """What the profile says that DataArts' v1 import has no field for (names only: nothing decrypted)."""
    variables = sorted(
        {str(v["name"]) for v in profile.environment_variables or [] if isinstance(v, dict) and v.get("name")}
    )
    dropped = []
    if variables:
        dropped.append(f"environment-variable overrides ({', '.join(variables)})")
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


def _changed(obj: RemoteObject, before: dict[str, Any]) -> str:
    """How ``obj`` differs from the remote's ``before``, in words ("" when it does not)."""
    before = _fitted(before=before, after=obj.after)
    if obj.type == "job":
        diff = job_diff(before, obj.after, sensitive_properties=NODE_SENSITIVE_PROPERTIES)
        return ", ".join(f"{v} {k}" for k, v in diff.summary().items() if v) if diff.changed else ""
    if obj.type == "script":
        script = script_diff(before, obj.after)
        return (
            f"{script.lines_added} lines added, {script.lines_removed} removed, {len(script.properties)} properties"
            if script.changed
            else ""
        )
    resource = resource_diff(before, obj.after)
    return f"{len(resource.properties)} properties" if resource.changed else ""


def _never_submitted(exc: ClientRequestException) -> bool:
    """Is this ShowJob error (``get_job_submit_version``) the answer for a job without a submitted
    version? A 404 or a not-found code, or a 400 that says so; any other 400 is a failure."""
    return not_found(exc) or (exc.status_code == 400 and "version" in (exc.error_msg or "").lower())


def _submitted_same(remote: Remote, obj: RemoteObject) -> bool:
    """Is the job's latest submitted version on the remote the package's (False: never submitted)?"""
    what = f"Reading the submitted version of job {obj.name} on {remote.label} failed"
    try:
        answer = remote.client.show_job(
            ShowJobRequest(workspace=remote.workspace, job_name=obj.name, get_job_submit_version=True)
        )
    except ClientRequestException as exc:
        if _never_submitted(exc):
            return False
        raise RemoteFailure(f"{what}: {reason(exc)}.") from exc
    except SdkException as exc:
        raise RemoteFailure(f"{what}: {reason(exc)}.") from exc
    fitted = _fitted(before=raw(answer), after=obj.after)
    return not job_diff(fitted, obj.after, sensitive_properties=NODE_SENSITIVE_PROPERTIES).changed


def _classify(remote: Remote, obj: RemoteObject, before: dict[str, Any] | None, *, submit: bool) -> None:
    """``obj``'s change against the remote's ``before``; a job whose document is the remote's is still
    changed when the import submits it and its submitted version differs, or when it carries a secret
    (the local change-set's reasons and words: ``same_state_reason``)."""
    if before is None:
        obj.change, obj.message = NEW, ""
        return
    message = _changed(obj, before)
    if message:
        obj.change, obj.message = CHANGED, message
        return
    submitted = _submitted_same(remote, obj) if obj.type == "job" and submit else True
    why = same_state_reason(submitted=submitted, secret=carries_secret(obj.type, obj.after), submit=submit)
    obj.change, obj.message = (CHANGED, why) if why else (UNCHANGED, "")


def _before(remote: Remote, obj: RemoteObject, resources: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if obj.type == "job":
        return shown(
            remote,
            f"job {obj.name}",
            "show_job",
            ShowJobRequest(workspace=remote.workspace, job_name=obj.name),
        )
    if obj.type == "script":
        return shown(
            remote,
            f"script {obj.name}",
            "show_script",
            ShowScriptRequest(workspace=remote.workspace, script_name=obj.name),
        )
    return resources.get(obj.name)


def _params(document: dict[str, Any]) -> list[dict[str, Any]]:
    params = document.get("params")
    return [p for p in params if isinstance(p, dict)] if isinstance(params, list) else []


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
        job_params_set(after, dict(values.public_params))
        job_params_set(after, job_params.get(job.name, {}))
        objects.append(RemoteObject("job", job.name, staged=staged, after=after, scripts=list(job.scripts)))

    if remote is not None:
        resources = resources_by_name(remote, {o.name for o in objects if o.type == "resource"})
        submit = profile.target_status == TargetStatus.SUBMITTED
        for obj in objects:
            _classify(remote, obj, _before(remote, obj, resources), submit=submit)
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
