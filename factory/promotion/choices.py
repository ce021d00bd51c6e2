"""What a profile chooses for an import of a package: the one place where a profile becomes
``ImportChoices``, for a promotion to a workspace of this console and for the import wizard that starts
from a profile (``factory.promotion.wizard``)."""

from __future__ import annotations

from typing import Any

from factory.transfer.imports import ImportChoices, VariableOverride

from .models import EnvironmentProfile, SchedulePolicy
from .selectors import profile_mapping, profile_masked, profile_rules, profile_values


def profile_import_choices(*, profile: EnvironmentProfile, inspection: dict[str, Any]) -> ImportChoices:
    """The profile's choices for the package of ``inspection``: its maps for the references the package
    has, its per-job parameters for the jobs (and parameters) it holds, its environment variables (masked
    values decrypted: they travel only encrypted, in the import's task row), its masked parameters named
    so that they are written masked, lock policy, schedule policy and time zone; unchanged objects are
    skipped."""
    referenced = {kind: set(names) for kind, names in (inspection.get("references") or {}).items()}
    mapping = {
        (kind, name): new
        for (kind, name), new in profile_mapping(profile=profile).items()
        if name in referenced.get(kind, set()) and new != name
    }
    values = profile_values(profile=profile)
    job_params_of = {j["name"]: {p["name"] for p in j.get("params", [])} for j in inspection.get("jobs", [])}
    job_params = {
        job: kept
        for job, params in values.job_params.items()
        if job in job_params_of
        and (kept := {name: value for name, value in params.items() if name in job_params_of[job]})
    }
    masked = profile_masked(profile=profile)
    masked_variables = {m.name for m in masked if m.kind == "variable"}
    masked_jobs: dict[str, frozenset[str]] = {}
    for item in masked:
        if item.kind == "jobParam" and item.job is not None and item.name in job_params.get(item.job, {}):
            masked_jobs[item.job] = masked_jobs.get(item.job, frozenset()) | {item.name}
    return ImportChoices(
        policy=profile.duplicate_policy,
        mapping=mapping,
        public_params=dict(values.public_params),
        job_params=job_params,
        target_status=profile.target_status,
        skip_unchanged=True,
        rewrite_rules=tuple(profile_rules(profile=profile)),
        keep_schedules=profile.schedule_policy == SchedulePolicy.KEEP_TARGET_SCHEDULES,
        variables=tuple(
            VariableOverride(name=name, value=value, masked=name in masked_variables)
            for name, value in sorted(values.environment_variables.items())
        ),
        lock_policy=profile.lock_policy,
        release_locks=profile.release_locks,
        expression_time_zone=profile.expression_time_zone,
        masked_public_params=frozenset(
            m.name for m in masked if m.kind == "publicParam" and m.name in values.public_params
        ),
        masked_job_params=masked_jobs,
    )
