"""A profile as data: the console API's view of it (``profile_outline``) and the JSON document that
``profile export`` writes and ``profile import`` reads (``profile_document`` / ``profile_document_parse``).

The document holds everything but secrets: never the remote target's access key or secret key, never the
value of a masked override (its name and ``"masked": true`` stay, so the importer knows what to type
again). It says so in its ``note``. A workspace target is named by its workspace's name, which survives
a move to another console where the ids differ.
"""

from __future__ import annotations

import json
from typing import Any

from factory.crypto import secret_decrypt
from factory.errors import ErrorCode, ValidationError
from factory.packages.rewrite import TextRule

from .models import EnvironmentProfile, TargetKind
from .specs import ProfileSpec, ReferenceMapping, RemoteTarget, ValueOverride

FORMAT = "dataarts-console/environment-profile"
VERSION = 1
NOTE = (
    "Secrets are never exported: the remote target's access key and secret key, and the values of masked "
    "parameters and environment variables, are left out. Type the keys again when importing this profile; "
    "set the masked values in the console (or they are asked for when the profile is used)."
)
POLICY_FIELDS = (
    ("duplicatePolicy", "duplicate_policy"),
    ("lockPolicy", "lock_policy"),
    ("releaseLocks", "release_locks"),
    ("targetStatus", "target_status"),
    ("schedulePolicy", "schedule_policy"),
    ("expressionTimeZone", "expression_time_zone"),
    ("requiresApproval", "requires_approval"),
)


def _set_names(profile: EnvironmentProfile) -> dict[str, Any]:
    """Which secrets are set (never their values): keys and masked values by list."""
    if not profile.secrets_encrypted:
        return {}
    data: dict[str, Any] = json.loads(secret_decrypt(ciphertext=profile.secrets_encrypted))
    return data


def _overrides(
    items: list[Any], stored: dict[str, Any], *, per_job: bool, secrets: bool
) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row: dict[str, Any] = {"job": item.get("job")} if per_job else {}
        masked = bool(item.get("masked"))
        row.update(name=item["name"], masked=masked, value=None if masked else item.get("value", ""))
        if secrets:
            scope = (stored.get(item.get("job")) or {}) if per_job else stored
            row["valueSet"] = bool(scope.get(item["name"])) if masked else True
        rows.append(row)
    return rows


def profile_outline(*, profile: EnvironmentProfile, for_export: bool = False) -> dict[str, Any]:
    """The profile in the console API's shape (``for_export``: the document's, without ids, audit and
    anything that tells about secrets)."""
    stored = {} if for_export else _set_names(profile)
    target: dict[str, Any] = {"kind": profile.target_kind}
    workspace = profile.target_workspace
    if for_export and profile.target_kind == TargetKind.WORKSPACE:
        target["workspaceName"] = workspace.name if workspace is not None else None
    elif for_export:
        target.update(
            endpoint=profile.remote_endpoint,
            projectId=profile.remote_project_id,
            remoteWorkspaceId=profile.remote_workspace_id,
            obsFolder=profile.remote_obs_folder,
        )
    else:  # the console's view: every key, those of the other kind empty
        access_key = str(stored.get("accessKey") or "")
        target.update(
            workspaceId=workspace.pk if workspace is not None else None,
            workspaceName=workspace.name if workspace is not None else None,
            endpoint=profile.remote_endpoint,
            projectId=profile.remote_project_id,
            remoteWorkspaceId=profile.remote_workspace_id,
            obsFolder=profile.remote_obs_folder,
            accessKeySet=bool(access_key),
            secretKeySet=bool(stored.get("secretKey")),
            accessKeyHint=f"…{access_key[-4:]}" if len(access_key) > 8 else "",
        )
    outline: dict[str, Any] = {
        "name": profile.name,
        "description": profile.description,
        "target": target,
        "mappings": [dict(m) for m in profile.mappings or []],
        "publicParams": _overrides(
            profile.public_params or [],
            stored.get("publicParams") or {},
            per_job=False,
            secrets=not for_export,
        ),
        "jobParams": _overrides(
            profile.job_params or [], stored.get("jobParams") or {}, per_job=True, secrets=not for_export
        ),
        "environmentVariables": _overrides(
            profile.environment_variables or [],
            stored.get("environmentVariables") or {},
            per_job=False,
            secrets=not for_export,
        ),
        "rewriteRules": [dict(r) for r in profile.rewrite_rules or []],
        **{key: getattr(profile, attr) for key, attr in POLICY_FIELDS},
    }
    if for_export:
        return outline
    return {
        "id": profile.pk,
        **outline,
        "createdBy": profile.created_by.get_username() if profile.created_by else None,
        "createdAt": profile.created_at,
        "updatedBy": profile.updated_by.get_username() if profile.updated_by else None,
        "updatedAt": profile.updated_at,
    }


def profile_document(*, profile: EnvironmentProfile) -> dict[str, Any]:
    """The JSON document ``profile export`` writes: the profile without its secrets, and a note saying so."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "note": NOTE,
        "workspace": profile.workspace.name,
        "profile": profile_outline(profile=profile, for_export=True),
    }


def profile_file_name(*, profile: EnvironmentProfile) -> str:
    return f"profile-{profile.name}.json"


# --- reading a document --------------------------------------------------------------------------------


class _Reader:
    """Typed reads of the document, each failure naming its field (``profile.mappings.2.kind``)."""

    def fail(self, where: str, message: str) -> ValidationError:
        return ValidationError(
            f"{where}: {message}", code=ErrorCode.PROFILE_DOCUMENT_INVALID, fields={where: [message]}
        )

    def obj(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be an object.")
        return data

    def items(self, data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "must be a list.")
        return [self.obj(item, f"{where}.{key}.{index}") for index, item in enumerate(value)]

    def text(self, data: dict[str, Any], key: str, where: str, *, default: str | None = "") -> str:
        value = data.get(key, default)
        if value is None and default is None:
            raise self.fail(f"{where}.{key}", "is required.")
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be text.")
        return value

    def optional_text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be text or null.")
        return value

    def flag(self, data: dict[str, Any], key: str, where: str, *, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false.")
        return value

    def overrides(
        self, data: dict[str, Any], key: str, where: str, *, per_job: bool
    ) -> tuple[ValueOverride, ...]:
        found = []
        for index, item in enumerate(self.items(data, key, where)):
            at = f"{where}.{key}.{index}"
            masked = self.flag(item, "masked", at)
            value = self.optional_text(item, "value", at)
            found.append(
                ValueOverride(
                    name=self.text(item, "name", at, default=None),
                    value=None if masked else (value or ""),
                    masked=masked,
                    job=self.text(item, "job", at, default=None) if per_job else None,
                )
            )
        return tuple(found)


def profile_document_parse(*, data: Any) -> ProfileSpec:
    """The profile a document holds, its shape checked (``profile_document_invalid`` naming the field);
    the services check the rest. Secrets in it are ignored: a document never carries them."""
    read = _Reader()
    document = read.obj(data, "document")
    if document.get("format") != FORMAT:
        raise read.fail("format", f"This is not an environment profile (format {FORMAT!r}).")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise read.fail("version", f"Version {version!r} is not one this console reads (1 to {VERSION}).")
    profile = read.obj(document.get("profile"), "profile")
    at = "profile"
    target = read.obj(profile.get("target"), f"{at}.target")
    kind = read.text(target, "kind", f"{at}.target", default=None)
    remote = None
    workspace_name = None
    if kind == TargetKind.REMOTE:
        remote = RemoteTarget(
            endpoint=read.text(target, "endpoint", f"{at}.target"),
            project_id=read.text(target, "projectId", f"{at}.target"),
            obs_folder=read.text(target, "obsFolder", f"{at}.target"),
            workspace_id=read.text(target, "remoteWorkspaceId", f"{at}.target"),
        )
    elif kind == TargetKind.WORKSPACE:
        workspace_name = read.text(target, "workspaceName", f"{at}.target", default=None)
    else:
        raise read.fail(f"{at}.target.kind", f"Use {TargetKind.WORKSPACE} or {TargetKind.REMOTE}.")
    mappings = tuple(
        ReferenceMapping(
            kind=read.text(item, "kind", f"{at}.mappings.{index}", default=None),
            name=read.text(item, "name", f"{at}.mappings.{index}", default=None),
            replace=read.text(item, "replace", f"{at}.mappings.{index}", default=None),
            connection_type=read.optional_text(item, "connectionType", f"{at}.mappings.{index}"),
        )
        for index, item in enumerate(read.items(profile, "mappings", at))
    )
    rules = tuple(
        TextRule(
            find=read.text(item, "find", f"{at}.rewriteRules.{index}", default=None),
            replace=read.text(item, "replace", f"{at}.rewriteRules.{index}"),
            regex=read.flag(item, "regex", f"{at}.rewriteRules.{index}"),
            whole_word=read.flag(item, "wholeWord", f"{at}.rewriteRules.{index}", default=True),
        )
        for index, item in enumerate(read.items(profile, "rewriteRules", at))
    )
    return ProfileSpec(
        name=read.text(profile, "name", at, default=None),
        description=read.text(profile, "description", at),
        target_kind=kind,
        target_workspace_name=workspace_name,
        remote=remote,
        mappings=mappings,
        public_params=read.overrides(profile, "publicParams", at, per_job=False),
        job_params=read.overrides(profile, "jobParams", at, per_job=True),
        environment_variables=read.overrides(profile, "environmentVariables", at, per_job=False),
        rewrite_rules=rules,
        duplicate_policy=read.text(profile, "duplicatePolicy", at, default="overwrite"),
        lock_policy=read.text(profile, "lockPolicy", at, default="take"),
        release_locks=read.flag(profile, "releaseLocks", at),
        target_status=read.text(profile, "targetStatus", at, default="submitted"),
        schedule_policy=read.text(profile, "schedulePolicy", at, default="refuse"),
        expression_time_zone=read.text(profile, "expressionTimeZone", at),
        requires_approval=read.flag(profile, "requiresApproval", at),
    )
