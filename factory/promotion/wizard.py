"""An environment profile in the import wizard: the wizard of a workspace T (the import's target) may
start from a profile that promotes to T, so that step 2 comes filled with the profile's choices for the
package inspected, every one of them editable, and the preview shows what they rewrite.

Which profiles: those whose target is T, of the workspaces where the user may promote (a developer,
deployer or admin there: the profile's masked values end up in what the import writes, as with Promote).
A profile that requires approval is offered only to the deployers and admins of its workspace (those who
may approve a promotion with it): the wizard's import is not approved by anyone, so a developer would
otherwise write the profile's masked values into T without the approval Promote asks of them. A profile
belongs to its source workspace, so the wizard in T offers the profiles that promote *to* T, as Promote
would use them from the source. The choices are the promotion's own (``profile_import_choices``) for the
import's inspection.

Masked values (parameters and environment variables a profile keeps encrypted) never go to the browser:
the choices name them (``masked``), and the apply (or preview) that names the profile gets them filled in
on the server for each one its body leaves out; a parameter filled in so is written masked (named in the
job's ``maskedParams``), as a promotion writes it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from factory.errors import ErrorCode, NotFound
from factory.transfer.imports import ImportChoices, VariableOverride
from factory.workspaces.models import Membership, Role, Workspace

from .choices import profile_import_choices
from .models import EnvironmentProfile, TargetKind
from .selectors import profile_masked
from .specs import MaskedValue


@dataclass(frozen=True)
class WizardChoices:
    """The profile's choices for an inspected package, masked values left out (named in ``masked``)."""

    profile: EnvironmentProfile
    choices: ImportChoices
    masked: tuple[MaskedValue, ...]


# Who may promote from a workspace (its developers, deployers and admins) may use its profiles here: the
# profile's masked values end up in what the import writes, as a promotion's do.
PROMOTING_ROLES = (Role.DEVELOPER, Role.DEPLOYER, Role.ADMIN)
# A profile that requires approval: only who may approve a promotion with it (its deployers and admins).
APPROVING_ROLES = (Role.DEPLOYER, Role.ADMIN)


def import_profiles_list(*, workspace: Workspace, user: User) -> QuerySet[EnvironmentProfile]:
    """The profiles that promote to ``workspace``, of the workspaces where ``user`` may promote (those that
    require approval: where ``user`` may approve)."""
    member_of = Membership.objects.filter(user_id=user.pk, role__in=PROMOTING_ROLES).values("workspace_id")
    approver_of = Membership.objects.filter(user_id=user.pk, role__in=APPROVING_ROLES).values("workspace_id")
    return (
        EnvironmentProfile.objects.filter(
            target_kind=TargetKind.WORKSPACE, target_workspace=workspace, workspace_id__in=member_of
        )
        .filter(Q(requires_approval=False) | Q(workspace_id__in=approver_of))
        .select_related("workspace")
        .order_by("workspace__name", "name")
    )


def import_profile_get(*, workspace: Workspace, user: User, profile_id: int) -> EnvironmentProfile:
    profile = import_profiles_list(workspace=workspace, user=user).filter(pk=profile_id).first()
    if profile is None:
        raise NotFound(
            f"No environment profile {profile_id} of your workspaces promotes to {workspace.name}.",
            code=ErrorCode.PROFILE_NOT_FOUND,
        )
    return profile


def import_profile_choices(*, profile: EnvironmentProfile, inspection: dict[str, Any]) -> WizardChoices:
    """The profile's choices for ``inspection`` as the wizard may show them: without the masked values."""
    full = profile_import_choices(profile=profile, inspection=inspection)
    masked = profile_masked(profile=profile)
    public = {m.name for m in masked if m.kind == "publicParam"}
    jobs = {(m.job, m.name) for m in masked if m.kind == "jobParam"}
    variables = {m.name for m in masked if m.kind == "variable"}
    shown = dataclasses.replace(
        full,
        public_params={k: v for k, v in full.public_params.items() if k not in public},
        job_params={
            job: kept
            for job, values in full.job_params.items()
            if (kept := {k: v for k, v in values.items() if (job, k) not in jobs})
        },
        variables=tuple(v for v in full.variables if v.name not in variables),
        masked_public_params=frozenset(),
        masked_job_params={},
    )
    in_package = set(full.job_params) | {j["name"] for j in inspection.get("jobs", [])}
    relevant = tuple(m for m in masked if m.kind != "jobParam" or m.job in in_package)
    return WizardChoices(profile=profile, choices=shown, masked=relevant)


def import_profile_masked_fill(
    *, profile: EnvironmentProfile, inspection: dict[str, Any], choices: ImportChoices
) -> ImportChoices:
    """``choices`` (the wizard's) with the profile's masked values for each one they leave out; the
    parameters filled in so are written masked."""
    full = profile_import_choices(profile=profile, inspection=inspection)
    public = dict(choices.public_params)
    job_params = {job: dict(values) for job, values in choices.job_params.items()}
    named = {v.name for v in choices.variables}
    variables = list(choices.variables)
    masked_public = set(choices.masked_public_params)
    masked_jobs = {job: set(names) for job, names in choices.masked_job_params.items()}
    for item in profile_masked(profile=profile):
        if item.kind == "publicParam" and item.name in full.public_params and item.name not in public:
            public[item.name] = full.public_params[item.name]
            masked_public.add(item.name)
        elif item.kind == "jobParam" and item.job is not None:
            value = (full.job_params.get(item.job) or {}).get(item.name)
            if value is not None and item.name not in job_params.get(item.job, {}):
                job_params.setdefault(item.job, {})[item.name] = value
                masked_jobs.setdefault(item.job, set()).add(item.name)
        elif item.kind == "variable" and item.name not in named:
            found = next((v for v in full.variables if v.name == item.name), None)
            if found is not None:
                variables.append(VariableOverride(name=found.name, value=found.value, masked=True))
    return dataclasses.replace(
        choices,
        public_params=public,
        job_params=job_params,
        variables=tuple(variables),
        masked_public_params=frozenset(masked_public),
        masked_job_params={job: frozenset(names) for job, names in masked_jobs.items()},
    )
