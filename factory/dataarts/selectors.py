"""Reads of the v1 API: the workspace a request acts on, and the v1 filters over the console's selectors."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from factory.connections.selectors import resource_get, resource_list
from factory.dataarts.errors import INVALID_PARAMETER, PERMISSION_DENIED, DataArtsError
from factory.development.models import Job, JobVersion, Resource, Script, VersionKind
from factory.development.nodes import JOB, job_references
from factory.development.selectors import jobs_list, scripts_list
from factory.errors import ErrorCode, NotFound
from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.selectors import role_at_least

_NO_ACCESS = "The workspace does not exist or the access key's user is not a member of it."


def dataarts_membership_get(
    *,
    user: User,
    project_id: str,
    workspace: str | None,
    key_workspace_id: int | None,
    role: str = Role.VIEWER,
) -> Membership:
    """The user's membership of the workspace the request names.

    ``workspace`` (the header) is DataArts' workspace id (our ``public_id``) or, for convenience, the
    workspace's name. Without it: the workspace the access key was made for (``key_workspace_id``), so
    that a key handed out for one workspace never acts on another unasked; a key made for none (or
    whose workspace is gone) gets the project's default workspace, else the user's only workspace of
    the project. A project or workspace the user has no part in is refused alike (403 ``DLF.6888``),
    so that the answer tells nothing about other users' workspaces.
    """
    memberships = Membership.objects.select_related("workspace").filter(
        user=user, workspace__project_id=project_id
    )
    if workspace:
        membership = memberships.filter(
            Q(workspace__public_id=workspace) | Q(workspace__name=workspace)
        ).first()
    elif key_workspace_id is not None:
        # Refused (below) rather than redirected when the user has left that workspace, or when it is
        # not in this project: falling back to the default would act where the caller did not aim.
        membership = memberships.filter(workspace_id=key_workspace_id).first()
    else:
        membership = memberships.filter(workspace__is_default=True).first()
        if membership is None:
            candidates = list(memberships.order_by("workspace__name")[:2])
            if len(candidates) > 1:
                raise DataArtsError(
                    "The access key's user belongs to several workspaces of this project and none is the "
                    "default: send the workspace id in the 'workspace' header.",
                    error_code=INVALID_PARAMETER,
                )
            membership = candidates[0] if candidates else None
    if membership is None:
        raise DataArtsError(_NO_ACCESS, error_code=PERMISSION_DENIED, status=403)
    if not role_at_least(membership=membership, role=role):
        raise DataArtsError(
            f"The access key's user is a {membership.role} of workspace {membership.workspace.name}; "
            f"this operation needs the {role} role.",
            error_code=PERMISSION_DENIED,
            status=403,
        )
    return membership


def v1_jobs_list(
    *, workspace: Workspace, job_type: str | None, job_name: str | None, tags: str | None
) -> QuerySet[Job]:
    """Jobs for ``GET jobs``: ``jobType`` BATCH | REAL_TIME, ``jobName`` a part of the name, ``tags`` a
    comma-separated list of which a job must carry one (``basicConfig.tags``)."""
    jobs = jobs_list(workspace=workspace).defer(None).select_related("created_by")
    if job_type:
        jobs = jobs.filter(process_type=job_type)
    if job_name:
        jobs = jobs.filter(name__icontains=job_name)
    wanted = {tag.strip() for tag in (tags or "").split(",") if tag.strip()}
    if wanted:
        # JSON containment is not portable to SQLite: match the (short) tag lists here.
        matching = [
            pk
            for pk, job_tags in jobs.values_list("pk", "document__basicConfig__tags")
            if isinstance(job_tags, list) and wanted & {str(tag) for tag in job_tags}
        ]
        jobs = jobs.filter(pk__in=matching)
    return jobs


def v1_job_submitted_version(*, job: Job, number: int | None) -> JobVersion:
    """Submitted version ``number`` of the job, or its latest submitted version when ``number`` is None."""
    versions = JobVersion.objects.filter(job=job, kind=VersionKind.SUBMITTED)
    version = (
        versions.filter(number=number).first() if number is not None else versions.order_by("-number").first()
    )
    if version is None:
        which = f"version {number}" if number is not None else "submitted version"
        raise NotFound(f"Job {job.name} has no {which}.", code=ErrorCode.VERSION_NOT_FOUND)
    return version


def v1_job_downstream(*, job: Job) -> list[dict[str, object]]:
    """The jobs that depend on ``job``: by schedule dependency or by running it (SubJob, For Each)."""
    downstream = []
    for pk, name, document in (
        Job.objects.filter(workspace_id=job.workspace_id)
        .exclude(pk=job.pk)
        .values_list("pk", "name", "document")
    ):
        if any(ref.kind == JOB and ref.name == job.name for ref in job_references(document or {})):
            downstream.append({"workSpace": job.workspace.public_id, "jobName": name, "jobId": pk})
    return sorted(downstream, key=lambda item: str(item["jobName"]))


def v1_scripts_list(*, workspace: Workspace, script_name: str | None) -> QuerySet[Script]:
    scripts = scripts_list(workspace=workspace).defer(None).select_related("created_by")
    return scripts.filter(name__icontains=script_name) if script_name else scripts


def v1_resource_get(*, workspace: Workspace, resource_id: str) -> Resource:
    """A resource by its v1 id (our primary key, as text); DLF.6241 for anything else."""
    if not resource_id.isdigit():
        raise NotFound(f"Resource {resource_id} does not exist.", code=ErrorCode.RESOURCE_NOT_FOUND)
    return resource_get(workspace=workspace, resource_id=int(resource_id))


def v1_resources_list(*, workspace: Workspace, resource_name: str | None) -> QuerySet[Resource]:
    return resource_list(workspace=workspace, search=resource_name or None)
