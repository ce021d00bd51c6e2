"""The rules a profile must keep, checked all at once so that a form can show every problem at its field.

Field names are the console API's (``target.endpoint``, ``mappings.0.replace``, ``rewriteRules.2.find``):
the JSON document of ``profile export`` uses the same names, so an import's errors point into the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator

from factory.connections.models import ConnectionType
from factory.errors import ErrorCode, ValidationError
from factory.packages.names import JOB_NAME_EXTRA, PARAM_NAME_EXTRA, name_problem
from factory.packages.rewrite import RuleError, rule_check
from factory.packages.secrets import secret_name_like
from factory.packages.timezones import TIME_ZONE_HINT, time_zone_known
from factory.workspaces.models import Membership, Workspace
from factory.workspaces.obs import workspace_obs_path

from .endpoints import endpoint_refusal
from .models import DuplicatePolicy, LockPolicy, SchedulePolicy, TargetKind, TargetStatus
from .specs import MAPPING_KINDS, ProfileSpec, ReferenceMapping, RemoteTarget, ValueOverride

MAX_PROFILE_NAME = 64
MAX_OBJECT_NAME = 128
MAX_PARAM_NAME = 64
MAX_VALUE = 65_536
MAX_ITEMS = 1000
MAX_KEY = 128
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY = re.compile(r"\S{1,128}")


@dataclass
class Problems:
    """Field -> messages, and the code of the first problem (the envelope's ``code``)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    code: ErrorCode | None = None

    def add(self, where: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        self.fields.setdefault(where, []).append(message)
        self.code = self.code or code

    def raise_any(self) -> None:
        if not self.fields:
            return
        where, messages = next(iter(self.fields.items()))
        more = len(self.fields) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ValidationError(f"{where}: {messages[0]}{tail}", code=self.code, fields=self.fields)


def _name(problems: Problems, where: str, value: Any, *, extra: str, limit: int) -> None:
    problem = (
        name_problem(value=value, extra=extra, max_length=limit) if isinstance(value, str) else "must be text"
    )
    if problem:
        problems.add(where, f"The name {problem}.", ErrorCode.INVALID_NAME)


def _choice(problems: Problems, where: str, value: str, choices: list[str]) -> None:
    if value not in choices:
        problems.add(where, f"Use one of {', '.join(choices)}.")


def _value(problems: Problems, where: str, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > MAX_VALUE):
        problems.add(where, f"Text of at most {MAX_VALUE} characters.")


def target_workspace_check(
    *, problems: Problems, source: Workspace, user: User | None, workspace_id: int | None, name: str | None
) -> Workspace | None:
    """The target workspace, by name when given, else by id: one the user is a member of, not the
    source. Any other is reported as not found (never telling one that exists from one that does not)."""
    memberships = Membership.objects.select_related("workspace").filter(user=user) if user else None
    membership = None
    if memberships is not None and name:
        membership = memberships.filter(workspace__name=name).first()
    elif memberships is not None and workspace_id is not None:
        membership = memberships.filter(workspace_id=workspace_id).first()
    where = "target.workspaceName" if name else "target.workspaceId"
    if not name and workspace_id is None:
        problems.add(where, "Choose the workspace to promote to.", ErrorCode.PROFILE_TARGET_INVALID)
        return None
    if membership is None:
        problems.add(where, "No such workspace of yours.", ErrorCode.PROFILE_TARGET_INVALID)
        return None
    if membership.workspace_id == source.pk:
        problems.add(where, "The target must be another workspace.", ErrorCode.PROFILE_TARGET_INVALID)
        return None
    return membership.workspace


def remote_check(
    *, problems: Problems, source: Workspace, remote: RemoteTarget | None, creating: bool
) -> str:
    """The remote target's fields; returns the OBS folder as stored (``obs://bucket/folder/``)."""
    if remote is None:
        problems.add("target.endpoint", "Enter the remote console's endpoint.")
        return ""
    try:
        URLValidator(schemes=["http", "https"])(remote.endpoint)
    except DjangoValidationError:
        problems.add("target.endpoint", "An http:// or https:// URL, such as https://dayu.example.com.")
    else:
        refusal = endpoint_refusal(remote.endpoint)
        if refusal:
            problems.add("target.endpoint", f"Not allowed: {refusal}.", ErrorCode.PROFILE_TARGET_INVALID)
    if not _ID.fullmatch(remote.project_id or ""):
        problems.add("target.projectId", "1 to 64 letters, digits, '-' or '_'.")
    if remote.workspace_id and not _ID.fullmatch(remote.workspace_id):
        problems.add("target.remoteWorkspaceId", "1 to 64 letters, digits, '-' or '_', or empty.")
    for key, value in (("accessKey", remote.access_key), ("secretKey", remote.secret_key)):
        if value is None or value == "":
            if creating:
                problems.add(
                    f"target.{key}",
                    "Enter it: it is stored encrypted and never shown again.",
                    ErrorCode.VALUE_REQUIRED,
                )
        elif not _KEY.fullmatch(value):
            problems.add(f"target.{key}", f"1 to {MAX_KEY} characters without spaces.")
    folder = (remote.obs_folder or "").strip()
    if not folder:
        problems.add("target.obsFolder", "Enter the OBS folder to stage packages in, obs://bucket/folder/.")
        return ""
    if not folder.endswith("/"):
        folder += "/"
    # The console writes the package there: the source workspace must be allowed to (403 when it is not).
    return str(workspace_obs_path(workspace=source, value=folder, field="target.obsFolder"))


def mappings_check(*, problems: Problems, mappings: tuple[ReferenceMapping, ...]) -> None:
    seen: set[tuple[str, str]] = set()
    if len(mappings) > MAX_ITEMS:
        problems.add("mappings", f"At most {MAX_ITEMS} mappings.")
    for index, mapping in enumerate(mappings):
        at = f"mappings.{index}"
        _choice(problems, f"{at}.kind", mapping.kind, list(MAPPING_KINDS))
        _name(problems, f"{at}.name", mapping.name, extra=JOB_NAME_EXTRA, limit=MAX_OBJECT_NAME)
        _name(problems, f"{at}.replace", mapping.replace, extra=JOB_NAME_EXTRA, limit=MAX_OBJECT_NAME)
        if mapping.connection_type is not None:
            if mapping.kind != "connection":
                problems.add(f"{at}.connectionType", "Only a data connection has a type.")
            else:
                _choice(
                    problems, f"{at}.connectionType", mapping.connection_type, list(ConnectionType.values)
                )
        key = (mapping.kind, mapping.name)
        if key in seen:
            problems.add(f"{at}.name", f"{mapping.name} is mapped twice.")
        seen.add(key)
        if mapping.name == mapping.replace and mapping.kind in MAPPING_KINDS:
            problems.add(f"{at}.replace", "The replacement is the same name; leave the mapping out.")


def overrides_check(
    *, problems: Problems, items: tuple[ValueOverride, ...], where: str, per_job: bool
) -> None:
    seen: set[tuple[str | None, str]] = set()
    if len(items) > MAX_ITEMS:
        problems.add(where, f"At most {MAX_ITEMS} items.")
    for index, item in enumerate(items):
        at = f"{where}.{index}"
        if per_job:
            _name(problems, f"{at}.job", item.job, extra=JOB_NAME_EXTRA, limit=MAX_OBJECT_NAME)
        _name(problems, f"{at}.name", item.name, extra=PARAM_NAME_EXTRA, limit=MAX_PARAM_NAME)
        _value(problems, f"{at}.value", item.value)
        key = (item.job if per_job else None, item.name)
        if key in seen:
            problems.add(
                f"{at}.name", f"{item.name} is given twice" + (f" for job {item.job}." if per_job else ".")
            )
        seen.add(key)


def rules_check(*, problems: Problems, spec: ProfileSpec) -> None:
    if len(spec.rewrite_rules) > 50:
        problems.add("rewriteRules", "At most 50 rewrite rules.", ErrorCode.REWRITE_RULE_INVALID)
    for index, rule in enumerate(spec.rewrite_rules):
        try:
            rule_check(rule)
        except RuleError as exc:
            problems.add(f"rewriteRules.{index}.{exc.field}", exc.message, ErrorCode.REWRITE_RULE_INVALID)


def time_zone_check(*, problems: Problems, value: str) -> None:
    if value and not time_zone_known(value):
        problems.add("expressionTimeZone", f"{TIME_ZONE_HINT}, or empty to keep the job's.")


def policies_check(*, problems: Problems, spec: ProfileSpec) -> None:
    _choice(problems, "targetKind", spec.target_kind, list(TargetKind.values))
    _choice(problems, "duplicatePolicy", spec.duplicate_policy, list(DuplicatePolicy.values))
    _choice(problems, "lockPolicy", spec.lock_policy, list(LockPolicy.values))
    _choice(problems, "targetStatus", spec.target_status, list(TargetStatus.values))
    _choice(problems, "schedulePolicy", spec.schedule_policy, list(SchedulePolicy.values))
    time_zone_check(problems=problems, value=spec.expression_time_zone)
    if not isinstance(spec.description, str) or len(spec.description) > 255:
        problems.add("description", "Text of at most 255 characters.")


def masked_for(item: ValueOverride) -> bool:
    """A value named like a secret is masked whatever the form says (exports would empty it anyway)."""
    return item.masked or secret_name_like(item.name)


def spec_check(
    *, spec: ProfileSpec, source: Workspace, user: User | None, creating: bool
) -> tuple[Problems, Workspace | None, str]:
    """Every rule but the name's uniqueness: the problems found, the target workspace, the OBS folder."""
    problems = Problems()
    _name(problems, "name", spec.name, extra=JOB_NAME_EXTRA, limit=MAX_PROFILE_NAME)
    policies_check(problems=problems, spec=spec)
    target: Workspace | None = None
    folder = ""
    if spec.target_kind == TargetKind.WORKSPACE:
        target = target_workspace_check(
            problems=problems,
            source=source,
            user=user,
            workspace_id=spec.target_workspace_id,
            name=spec.target_workspace_name,
        )
    elif spec.target_kind == TargetKind.REMOTE:
        folder = remote_check(problems=problems, source=source, remote=spec.remote, creating=creating)
    mappings_check(problems=problems, mappings=spec.mappings)
    overrides_check(problems=problems, items=spec.public_params, where="publicParams", per_job=False)
    overrides_check(problems=problems, items=spec.job_params, where="jobParams", per_job=True)
    overrides_check(
        problems=problems, items=spec.environment_variables, where="environmentVariables", per_job=False
    )
    rules_check(problems=problems, spec=spec)
    return problems, target, folder
