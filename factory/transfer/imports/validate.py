"""Import, step 2: the user's choices (an ``ImportChoices`` each interface builds from its own input)
checked against the inspection (``import_choices_validate``) before the apply is queued."""

from __future__ import annotations

from typing import Any

from factory.connections.environment import MAX_NAME_LENGTH as MAX_VARIABLE_NAME
from factory.connections.environment import MAX_VALUE_LENGTH as MAX_VARIABLE_VALUE
from factory.connections.models import DataConnection, ExternalObject
from factory.development.models import EnvironmentVariable, Job, Resource, Script
from factory.development.nodes import (
    BUILTIN_OBJECTS,
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    EXTERNAL_KINDS,
    JOB,
    REFERENCE_KINDS,
    RESOURCE,
    SCRIPT,
    UNRESOLVABLE_KINDS,
    script_type_fits,
)
from factory.development.validation import directory_path_normalize
from factory.errors import ErrorCode, ValidationError
from factory.packages.names import PARAM_NAME_EXTRA, name_problem
from factory.packages.rewrite import RuleError, rules_check
from factory.packages.secrets import secret_name_like
from factory.packages.timezones import TIME_ZONE_HINT, time_zone_known
from factory.transfer.imports.choices import (
    DIRECTORY_MODES,
    LOCK_POLICIES,
    MAX_PARAM_VALUE,
    OBJECT_TYPES,
    SUBMITTED,
    TARGET_STATUSES,
    ImportChoices,
    VariableOverride,
)
from factory.transfer.imports.common import POLICIES
from factory.workspaces.models import Workspace


class _Problems:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_any(self) -> None:
        if not self.fields:
            return
        messages = [m for ms in self.fields.values() for m in ms]
        shown = "; ".join(messages[:10]) + (f"; and {len(messages) - 10} more" if len(messages) > 10 else "")
        raise ValidationError(shown, code=ErrorCode.IMPORT_CHOICES_INVALID, fields=self.fields)


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _params_map(value: Any, *, key: str, problems: _Problems) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        problems.add(key, f"{key} must be an object of parameter names and values.")
        return {}
    result = {}
    for name, raw in value.items():
        text = _text(raw)
        if text is None or len(text) > MAX_PARAM_VALUE:
            problems.add(key, f"{key}.{name} must be a text value of at most {MAX_PARAM_VALUE} characters.")
        else:
            result[str(name)] = text
    return result


def _variables_check(
    variables: tuple[VariableOverride, ...], *, problems: _Problems
) -> tuple[VariableOverride, ...]:
    """The environment variables to set: valid names, each once, text values; one named like a secret
    (``DB_PASSWORD``) is masked."""
    checked: list[VariableOverride] = []
    seen: set[str] = set()
    for index, variable in enumerate(variables):
        where = f"variables.{index}"
        problem = name_problem(value=variable.name, extra=PARAM_NAME_EXTRA, max_length=MAX_VARIABLE_NAME)
        if problem:
            problems.add(f"{where}.name", f"The environment variable name {problem}.")
        elif variable.name in seen:
            problems.add(f"{where}.name", f"Environment variable {variable.name} is set twice.")
        elif not isinstance(variable.value, str) or len(variable.value) > MAX_VARIABLE_VALUE:
            problems.add(f"{where}.value", f"Text of at most {MAX_VARIABLE_VALUE} characters.")
        else:
            seen.add(variable.name)
            # Named like a secret: masked whatever was asked (as a profile's override is).
            masked = variable.masked or secret_name_like(variable.name)
            checked.append(VariableOverride(name=variable.name, value=variable.value, masked=masked))
    return tuple(checked)


def _existing_targets(
    *, workspace: Workspace, wanted: dict[str, set[str]]
) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Which replacement names exist: connections (name -> type) and other (kind, name), one query a kind."""
    connections = (
        dict(
            DataConnection.objects.filter(
                workspace=workspace, name__in=sorted(wanted.get(CONNECTION, ()))
            ).values_list("name", "type")
        )
        if wanted.get(CONNECTION)
        else {}
    )
    found: set[tuple[str, str]] = set()
    externals = set().union(*(wanted.get(k, set()) for k in EXTERNAL_KINDS))
    if externals:
        found |= set(
            ExternalObject.objects.filter(
                workspace=workspace, kind__in=EXTERNAL_KINDS, name__in=sorted(externals)
            ).values_list("kind", "name")
        )
    models: dict[str, type[Job | Script | Resource | EnvironmentVariable]] = {
        JOB: Job,
        SCRIPT: Script,
        RESOURCE: Resource,
        ENVIRONMENT_VARIABLE: EnvironmentVariable,
    }
    for kind, model in models.items():
        if wanted.get(kind):
            names = model.objects.filter(workspace=workspace, name__in=sorted(wanted[kind]))
            found |= {(kind, n) for n in names.values_list("name", flat=True)}
    return connections, found


def _unresolved_problem(
    *, kind: str, name: str, replaced: bool, missing: dict[tuple[str, str], str | None]
) -> str | None:
    """Why the choices cannot leave ``(kind, name)`` unresolved, or ``None``."""
    if replaced:
        return f"mapping: {kind} {name} is either replaced or left unresolved; pick one."
    if kind not in UNRESOLVABLE_KINDS:
        return (
            f"mapping: only a missing script or cloud object ({', '.join(UNRESOLVABLE_KINDS)}) may "
            f"be left unresolved; choose a replacement for {kind} {name}."
        )
    if (kind, name) not in missing:
        return f"mapping: {kind} {name} is not missing; there is nothing to leave unresolved."
    return None


def _script_types(*, workspace: Workspace, names: set[str]) -> dict[str, str]:
    """The types of the workspace's scripts of ``names`` (one query)."""
    if not names:
        return {}
    return dict(
        Script.objects.filter(workspace=workspace, name__in=sorted(names)).values_list("name", "type")
    )


def import_choices_validate(
    *, workspace: Workspace, inspection: dict[str, Any], choices: ImportChoices, default_policy: str
) -> tuple[ImportChoices, dict[str, dict[str, str]]]:
    """``choices`` (built by an interface from its own input) checked against ``inspection``, as they
    will be applied, and the typed-in secrets by connection name. Every problem is named in one
    ValidationError: a missing reference without a replacement, an unknown object or parameter, a
    replacement that does not exist."""
    problems = _Problems()
    policy = choices.policy or default_policy
    if policy not in POLICIES:
        problems.add("policy", f"policy must be one of {', '.join(POLICIES)}.")

    in_package = {
        "job": {j["name"] for j in inspection.get("jobs", [])},
        "script": {s["name"] for s in inspection.get("scripts", [])},
        "resource": {r["name"] for r in inspection.get("resources", [])},
    }
    overrides: dict[str, str] = {}
    for key, value in choices.overrides.items():
        object_type, _, object_name = str(key).partition(":")
        if object_type not in OBJECT_TYPES or object_name not in in_package[object_type]:
            problems.add(
                "overrides", f"{key}: the package holds no {object_type or 'object'} {object_name!r}."
            )
        elif value not in POLICIES:
            problems.add("overrides", f"{key}: the policy must be one of {', '.join(POLICIES)}.")
        else:
            overrides[str(key)] = value

    referenced = {kind: set(names) for kind, names in (inspection.get("references") or {}).items()}
    missing_types: dict[tuple[str, str], str | None] = {}
    required: list[tuple[str, str, str]] = []
    for group in inspection.get("missing", []):
        for ref in group["references"]:
            missing_types[(group["kind"], ref["name"])] = group.get("connectionType")
            if group.get("required"):
                required.append((group["kind"], ref["name"], group["label"]))

    mapping: dict[tuple[str, str], str] = {}
    unresolved: set[tuple[str, str]] = set()
    for kind, name in sorted(choices.unresolved):
        problem = _unresolved_problem(
            kind=kind, name=name, replaced=bool(choices.mapping.get((kind, name))), missing=missing_types
        )
        if problem:
            problems.add("mapping", problem)
        else:
            unresolved.add((kind, name))
    for (kind, name), replace in choices.mapping.items():
        if (kind, name) in choices.unresolved:
            continue  # named above
        if kind not in REFERENCE_KINDS:
            problems.add(
                "mapping", f"mapping: kind must be one of {', '.join(REFERENCE_KINDS)}, not {kind!r}."
            )
        elif name not in referenced.get(kind, set()):
            problems.add("mapping", f"mapping: the package does not refer to a {kind} named {name!r}.")
        elif not replace.strip():
            problems.add("mapping", f"mapping: choose a replacement for {kind} {name}.")
        else:
            mapping[(kind, name)] = replace.strip()

    definitions = {c["name"]: c for c in inspection.get("connections", [])}
    creates: list[str] = []
    secrets: dict[str, dict[str, str]] = {}
    for name in choices.create_connections:
        values = choices.connection_secrets.get(name) or {}
        definition = definitions.get(name)
        if definition is None:
            problems.add("createConnections", f"The package defines no data connection {name!r}.")
        elif not definition.get("canCreate"):
            problems.add(
                "createConnections", f"A data connection named {name} already exists in the workspace."
            )
        elif (CONNECTION, name) in mapping:
            problems.add(
                "createConnections", f"Data connection {name} is both replaced and created; pick one."
            )
        else:
            creates.append(name)
            secrets[name] = {k: v for k, v in values.items() if v != ""}

    unmapped = [
        f"{label} {name}"
        for kind, name, label in required
        if (kind, name) not in mapping
        and (kind, name) not in unresolved
        and not (kind == CONNECTION and name in creates)
    ]
    for text in unmapped:
        problems.add("mapping", f"{text} is missing: choose a replacement.")

    wanted: dict[str, set[str]] = {}
    for (kind, _), replace in mapping.items():
        wanted.setdefault(kind, set()).add(replace)
    connections, found = _existing_targets(workspace=workspace, wanted=wanted)
    script_types = _script_types(workspace=workspace, names=wanted.get(SCRIPT, set()))
    needed_types = {
        ref["name"]: ref["scriptTypes"]
        for group in inspection.get("missing", [])
        if group["kind"] == SCRIPT
        for ref in group["references"]
        if ref.get("scriptTypes")
    }
    for (kind, name), replace in sorted(mapping.items()):
        if kind == CONNECTION:
            type_ = connections.get(replace)
            needed = missing_types.get((kind, name))
            if type_ is None:
                problems.add(
                    "mapping", f"The replacement data connection {replace} (for {name}) does not exist."
                )
            elif needed and type_ != needed:
                problems.add(
                    "mapping", f"{replace} is a {type_} data connection; {name} needs a {needed} one."
                )
        elif (kind, replace) not in found and (kind, replace) not in BUILTIN_OBJECTS:
            problems.add(
                "mapping", f"The replacement {kind.replace('_', ' ')} {replace} (for {name}) does not exist."
            )
        elif kind == SCRIPT and not script_type_fits(script_types.get(replace), needed_types.get(name, ())):
            # As for data connections: a node runs scripts of its own type only.
            problems.add(
                "mapping",
                f"{replace} is a {script_types.get(replace)} script; {name} is run by a node that needs "
                f"a {' or '.join(needed_types[name])} one.",
            )

    public_params = _params_map(choices.public_params, key="publicParams", problems=problems)
    job_params: dict[str, dict[str, str]] = {}
    job_param_names = {
        j["name"]: {p["name"] for p in j.get("params", [])} for j in inspection.get("jobs", [])
    }
    for job_name, values in choices.job_params.items():
        if job_name not in job_param_names:
            problems.add("jobParams", f"The package holds no job {job_name!r}.")
            continue
        parsed = _params_map(values, key=f"jobParams.{job_name}", problems=problems)
        for name in sorted(set(parsed) - job_param_names[job_name]):
            problems.add("jobParams", f"Job {job_name} has no parameter {name!r}.")
        job_params[job_name] = parsed

    target = choices.target_directory or None
    if target is not None:
        try:
            target = directory_path_normalize(target, field="targetDirectory")
        except ValidationError as exc:
            problems.add("targetDirectory", exc.message)
    directory_mode = choices.directory_mode or "prefix"
    if directory_mode not in DIRECTORY_MODES:
        problems.add("directoryMode", f"directoryMode must be one of {', '.join(DIRECTORY_MODES)}.")
    target_status = (choices.target_status or SUBMITTED).lower()
    if target_status not in TARGET_STATUSES:
        problems.add("targetStatus", f"targetStatus must be one of {', '.join(TARGET_STATUSES)}.")
    continue_on_error = choices.continue_on_error
    try:
        rules_check(choices.rewrite_rules)
    except RuleError as exc:
        where = f"rewriteRules.{exc.index}.{exc.field}" if exc.index is not None else "rewriteRules"
        problems.add(where, exc.message)
    variables = _variables_check(choices.variables, problems=problems)
    lock_policy = choices.lock_policy or LOCK_POLICIES[0]
    if lock_policy not in LOCK_POLICIES:
        problems.add("lockPolicy", f"lockPolicy must be one of {', '.join(LOCK_POLICIES)}.")
    zone = (choices.expression_time_zone or "").strip()
    if zone and not time_zone_known(zone):
        problems.add("expressionTimeZone", f"expressionTimeZone: {TIME_ZONE_HINT.lower()}, not {zone!r}.")
    problems.raise_any()
    checked = ImportChoices(
        policy=policy,
        overrides=overrides,
        mapping=mapping,
        unresolved=frozenset(unresolved),
        create_connections=tuple(sorted(creates)),
        public_params=public_params,
        job_params=job_params,
        target_directory=target,
        directory_mode=directory_mode,
        target_status=target_status,
        continue_on_error=continue_on_error,
        skip_unchanged=choices.skip_unchanged,
        rewrite_rules=choices.rewrite_rules,
        keep_schedules=choices.keep_schedules,
        variables=variables,
        lock_policy=lock_policy,
        release_locks=choices.release_locks,
        expression_time_zone=zone,
        # Masked: of the parameters given a value only (an interface's own choice, never the body's).
        masked_public_params=frozenset(choices.masked_public_params & set(public_params)),
        masked_job_params={
            job: names
            for job, values in job_params.items()
            if (names := frozenset((choices.masked_job_params.get(job) or frozenset()) & set(values)))
        },
    )
    return checked, secrets
