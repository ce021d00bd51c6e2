"""Writes of environment profiles: create, update, delete (a workspace admin's; the views check the role)
and import from the JSON document that ``profile_document`` writes.

What is secret goes in write-only and is stored only encrypted (``secrets_encrypted``): the remote
target's access key and secret key, and the values of masked overrides (a parameter or variable named like
a secret is masked whatever the form says). A secret left out of an update is kept; an import never has
them (the document leaves them out), so a remote target's keys are typed again with it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from factory.connections.services import full_clean
from factory.crypto import secret_decrypt, secret_encrypt
from factory.errors import Conflict, ErrorCode
from factory.workspaces.models import Workspace

from .checks import Problems, masked_for, spec_check
from .documents import profile_document_parse
from .endpoints import endpoint_host
from .models import EnvironmentProfile, TargetKind
from .specs import ProfileSecrets, ProfileSpec, ValueOverride


def profile_secrets_read(*, profile: EnvironmentProfile) -> ProfileSecrets:
    """The profile's secrets, decrypted: for the promotion that uses them and for merging an update,
    never for display or export."""
    if not profile.secrets_encrypted:
        return ProfileSecrets()
    data = json.loads(secret_decrypt(ciphertext=profile.secrets_encrypted))
    return ProfileSecrets(
        access_key=data.get("accessKey") or "",
        secret_key=data.get("secretKey") or "",
        public_params=data.get("publicParams") or {},
        job_params=data.get("jobParams") or {},
        environment_variables=data.get("environmentVariables") or {},
    )


def _secrets_write(*, profile: EnvironmentProfile, secrets: ProfileSecrets) -> None:
    data = {
        "accessKey": secrets.access_key,
        "secretKey": secrets.secret_key,
        "publicParams": secrets.public_params,
        "jobParams": {job: values for job, values in secrets.job_params.items() if values},
        "environmentVariables": secrets.environment_variables,
    }
    kept = {key: value for key, value in data.items() if value}
    profile.secrets_encrypted = secret_encrypt(plaintext=json.dumps(kept, sort_keys=True)) if kept else ""


def _stored_items(items: list[Any], *, per_job: bool) -> dict[tuple[str | None, str], dict[str, Any]]:
    return {
        (item.get("job") if per_job else None, item["name"]): item
        for item in items
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }


def _overrides_merge(
    *,
    problems: Problems,
    where: str,
    items: tuple[ValueOverride, ...],
    stored: list[Any],
    stored_values: dict[tuple[str | None, str], str],
    per_job: bool,
) -> tuple[list[dict[str, Any]], dict[tuple[str | None, str], str]]:
    """The items as kept in the JSON list (masked ones without a value) and the masked values to encrypt.
    A masked item given no value keeps the stored one; unmasking needs the value again."""
    before = _stored_items(stored, per_job=per_job)
    rows: list[dict[str, Any]] = []
    values: dict[tuple[str | None, str], str] = {}
    for index, item in enumerate(items):
        key = (item.job if per_job else None, item.name)
        row: dict[str, Any] = {"job": item.job} if per_job else {}
        row["name"] = item.name
        if masked_for(item):
            row["masked"] = True
            value = item.value if item.value else stored_values.get(key)
            if value:
                values[key] = value
        else:
            was_masked = bool(before.get(key, {}).get("masked")) and key in stored_values
            if item.value is None and was_masked:
                problems.add(
                    f"{where}.{index}.value",
                    "Enter the value to unmask it: a masked value is never shown or turned back into clear text.",
                    ErrorCode.VALUE_REQUIRED,
                )
            row["masked"] = False
            row["value"] = item.value or ""
        rows.append(row)
    return rows, values


def _job_values(values: dict[tuple[str | None, str], str]) -> dict[str, dict[str, str]]:
    by_job: dict[str, dict[str, str]] = {}
    for (job, name), value in values.items():
        by_job.setdefault(job or "", {})[name] = value
    return by_job


def _apply(
    *, profile: EnvironmentProfile, spec: ProfileSpec, user: User | None, creating: bool
) -> EnvironmentProfile:
    """``spec`` checked and written onto ``profile`` (not saved); every problem raised at once."""
    problems, target, folder = spec_check(spec=spec, source=profile.workspace, user=user, creating=creating)
    current = ProfileSecrets() if creating else profile_secrets_read(profile=profile)
    public, public_values = _overrides_merge(
        problems=problems,
        where="publicParams",
        items=spec.public_params,
        stored=profile.public_params or [],
        stored_values={(None, k): v for k, v in current.public_params.items()},
        per_job=False,
    )
    jobs, job_values = _overrides_merge(
        problems=problems,
        where="jobParams",
        items=spec.job_params,
        stored=profile.job_params or [],
        stored_values={(job, k): v for job, values in current.job_params.items() for k, v in values.items()},
        per_job=True,
    )
    variables, variable_values = _overrides_merge(
        problems=problems,
        where="environmentVariables",
        items=spec.environment_variables,
        stored=profile.environment_variables or [],
        stored_values={(None, k): v for k, v in current.environment_variables.items()},
        per_job=False,
    )
    was_remote = not creating and profile.target_kind == TargetKind.REMOTE
    if spec.target_kind == TargetKind.REMOTE and spec.remote is not None:
        # A target that becomes remote has no keys yet to keep, and the keys stored for one host are
        # never sent to another: both are needed then.
        moved = was_remote and endpoint_host(spec.remote.endpoint) != endpoint_host(profile.remote_endpoint)
        for key, value in (("accessKey", spec.remote.access_key), ("secretKey", spec.remote.secret_key)):
            if (moved or not was_remote) and not value and f"target.{key}" not in problems.fields:
                problems.add(
                    f"target.{key}",
                    "Type it again: the endpoint's host changed, and the keys stored for the other host are "
                    "not sent to this one."
                    if moved
                    else "Enter it: it is stored encrypted and never shown again.",
                    ErrorCode.VALUE_REQUIRED,
                )
    problems.raise_any()

    profile.name = spec.name
    profile.description = spec.description or ""
    profile.target_kind = spec.target_kind
    remote = spec.remote if spec.target_kind == TargetKind.REMOTE else None
    profile.target_workspace = target
    profile.remote_endpoint = remote.endpoint.rstrip("/") if remote else ""
    profile.remote_project_id = remote.project_id if remote else ""
    profile.remote_workspace_id = remote.workspace_id if remote else ""
    profile.remote_obs_folder = folder
    profile.mappings = [
        {"kind": m.kind, "name": m.name, "connectionType": m.connection_type, "replace": m.replace}
        for m in spec.mappings
    ]
    profile.public_params, profile.job_params, profile.environment_variables = public, jobs, variables
    profile.rewrite_rules = [r.to_json() for r in spec.rewrite_rules]
    profile.duplicate_policy = spec.duplicate_policy
    profile.lock_policy = spec.lock_policy
    profile.release_locks = spec.release_locks
    profile.target_status = spec.target_status
    profile.schedule_policy = spec.schedule_policy
    profile.expression_time_zone = spec.expression_time_zone
    profile.requires_approval = spec.requires_approval
    profile.updated_by = user
    _secrets_write(
        profile=profile,
        secrets=ProfileSecrets(
            access_key=(remote.access_key or current.access_key) if remote else "",
            secret_key=(remote.secret_key or current.secret_key) if remote else "",
            public_params={name: value for (_, name), value in public_values.items()},
            job_params=_job_values(job_values),
            environment_variables={name: value for (_, name), value in variable_values.items()},
        ),
    )
    return profile


def _name_free(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    taken = EnvironmentProfile.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            f"An environment profile named {name} already exists.",
            code=ErrorCode.PROFILE_EXISTS,
            fields={"name": ["Another profile has this name."]},
        )


@transaction.atomic
def profile_create(*, workspace: Workspace, user: User | None, spec: ProfileSpec) -> EnvironmentProfile:
    profile = EnvironmentProfile(workspace=workspace, created_by=user)
    _apply(profile=profile, spec=spec, user=user, creating=True)
    _name_free(workspace=workspace, name=profile.name)
    full_clean(profile, validate_constraints=False)
    profile.save()
    return profile


@transaction.atomic
def profile_update(
    *, profile: EnvironmentProfile, user: User | None, spec: ProfileSpec
) -> EnvironmentProfile:
    """Replace the profile with ``spec``; the secrets it does not give again are kept."""
    profile = EnvironmentProfile.objects.select_for_update().get(pk=profile.pk)
    _apply(profile=profile, spec=spec, user=user, creating=False)
    _name_free(workspace=profile.workspace, name=profile.name, exclude_pk=profile.pk)
    full_clean(profile, validate_constraints=False)
    profile.save()
    return profile


def profile_delete(*, profile: EnvironmentProfile) -> None:
    profile.delete()


@transaction.atomic
def profile_import(
    *,
    workspace: Workspace,
    user: User | None,
    document: Any,
    replace: bool = False,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> tuple[EnvironmentProfile, bool]:
    """A profile from ``profile_document``'s JSON, every field checked; (the profile, whether it replaced
    one of the same name). A remote target's keys are never in the document: ``access_key`` and
    ``secret_key`` are required for one. Masked overrides come in unset (or keep the values of the profile
    they replace)."""
    spec = profile_document_parse(data=document)
    if spec.target_kind == TargetKind.REMOTE and spec.remote is not None:
        problems = Problems()
        for key, value in (("accessKey", access_key), ("secretKey", secret_key)):
            if not value:
                problems.add(
                    key,
                    "A profile's keys are never exported: type the remote target's access key and secret key again.",
                    ErrorCode.VALUE_REQUIRED,
                )
        problems.raise_any()
        remote = spec.remote
        spec = dataclasses.replace(
            spec, remote=dataclasses.replace(remote, access_key=access_key, secret_key=secret_key)
        )
    existing = EnvironmentProfile.objects.filter(workspace=workspace, name=spec.name).first()
    if existing is None:
        return profile_create(workspace=workspace, user=user, spec=spec), False
    if not replace:
        raise Conflict(
            f"An environment profile named {spec.name} already exists; import it with replace to overwrite it.",
            code=ErrorCode.PROFILE_EXISTS,
            fields={"name": ["Another profile has this name."]},
        )
    return profile_update(profile=existing, user=user, spec=spec), True
