"""Reads of environment profiles, scoped to one workspace: another workspace's profile is not found.

Besides the lists and the JSON document (``documents``), what a promotion needs of a profile, typed: the
reference maps as the import takes them, and the parameter and variable overrides with their masked
values decrypted (for the promotion that applies them, never for display).
"""

from __future__ import annotations

from django.db.models import QuerySet

from factory.errors import ErrorCode, NotFound
from factory.packages.rewrite import TextRule
from factory.workspaces.models import Workspace

from .models import EnvironmentProfile, Promotion
from .services import profile_secrets_read
from .specs import MaskedValue, ProfileSecrets


def profile_list(*, workspace: Workspace, search: str | None = None) -> QuerySet[EnvironmentProfile]:
    profiles = EnvironmentProfile.objects.filter(workspace=workspace).select_related(
        "workspace", "target_workspace", "created_by", "updated_by"
    )
    return profiles.filter(name__icontains=search).order_by("name") if search else profiles.order_by("name")


def profile_get(*, workspace: Workspace, profile_id: int) -> EnvironmentProfile:
    profile = profile_list(workspace=workspace).filter(pk=profile_id).first()
    if profile is None:
        raise NotFound("Environment profile not found.", code=ErrorCode.PROFILE_NOT_FOUND)
    return profile


def profile_get_by_name(*, workspace: Workspace, name: str) -> EnvironmentProfile:
    profile = profile_list(workspace=workspace).filter(name=name).first()
    if profile is None:
        raise NotFound(
            f"Workspace {workspace.name} has no environment profile named {name}.",
            code=ErrorCode.PROFILE_NOT_FOUND,
        )
    return profile


def profile_mapping(*, profile: EnvironmentProfile) -> dict[tuple[str, str], str]:
    """The reference maps as ``ImportChoices.mapping`` takes them: ``(kind, old name) -> new name``."""
    return {(m["kind"], m["name"]): m["replace"] for m in profile.mappings or []}


def profile_rules(*, profile: EnvironmentProfile) -> list[TextRule]:
    return [TextRule.from_json(r) for r in profile.rewrite_rules or []]


def profile_masked(*, profile: EnvironmentProfile) -> tuple[MaskedValue, ...]:
    """The profile's masked values (their values kept only encrypted), in the profile's order: public
    parameters, job parameters, environment variables."""
    public = [MaskedValue("publicParam", p["name"]) for p in profile.public_params or [] if p.get("masked")]
    jobs = [
        MaskedValue("jobParam", p["name"], job=p["job"]) for p in profile.job_params or [] if p.get("masked")
    ]
    variables = [
        MaskedValue("variable", v["name"]) for v in profile.environment_variables or [] if v.get("masked")
    ]
    return (*public, *jobs, *variables)


def profile_values(*, profile: EnvironmentProfile) -> ProfileSecrets:
    """Every override's value, masked ones decrypted (unset masked ones are left out), with the remote
    keys: what a promotion applies. Never for display or export."""
    secrets = profile_secrets_read(profile=profile)
    masked = set(profile_masked(profile=profile))
    public = {
        p["name"]: p.get("value", "")
        for p in profile.public_params or []
        if MaskedValue("publicParam", p["name"]) not in masked
    }
    jobs: dict[str, dict[str, str]] = {}
    for p in profile.job_params or []:
        if MaskedValue("jobParam", p["name"], job=p["job"]) not in masked:
            jobs.setdefault(p["job"], {})[p["name"]] = p.get("value", "")
    for job, values in secrets.job_params.items():
        jobs.setdefault(job, {}).update(values)
    variables = {
        v["name"]: v.get("value", "")
        for v in profile.environment_variables or []
        if MaskedValue("variable", v["name"]) not in masked
    }
    return ProfileSecrets(
        access_key=secrets.access_key,
        secret_key=secrets.secret_key,
        public_params={**public, **secrets.public_params},
        job_params=jobs,
        environment_variables={**variables, **secrets.environment_variables},
    )


def profile_unset_secrets(*, profile: EnvironmentProfile) -> list[str]:
    """What the profile still needs typed in, in words (after an import: its masked values)."""
    secrets = profile_secrets_read(profile=profile)
    missing = []
    for item in profile_masked(profile=profile):
        if item.kind == "publicParam" and item.name not in secrets.public_params:
            missing.append(f"public parameter {item.name}")
        elif item.kind == "jobParam" and item.name not in (secrets.job_params.get(item.job or "") or {}):
            missing.append(f"parameter {item.name} of job {item.job}")
        elif item.kind == "variable" and item.name not in secrets.environment_variables:
            missing.append(f"environment variable {item.name}")
    return missing


def promotion_list(*, workspace: Workspace, state: str | None = None) -> QuerySet[Promotion]:
    """The workspace's promotions, newest first (the Deployments page)."""
    rows = Promotion.objects.filter(workspace=workspace).select_related(
        "requested_by", "approved_by", "target_workspace", "import_task"
    )
    return (rows.filter(state=state) if state else rows).order_by("-created_at", "-pk")


def promotion_get(*, workspace: Workspace, promotion_id: int) -> Promotion:
    promotion = promotion_list(workspace=workspace).filter(pk=promotion_id).first()
    if promotion is None:
        raise NotFound("Promotion not found.", code=ErrorCode.PROMOTION_NOT_FOUND)
    return promotion
