"""The v1 API's writes of jobs and scripts: DataArts' one-call operations over the console's services.

DataArts' v1 API has no edit lock and, outside review mode, no separate submit: a created or updated job
or script is ready to schedule. So a v1 update takes the lock for the caller (as the console's Lock
button would; refused under a hard lock held by someone else), saves and submits; ``targetStatus:
SAVED`` saves without submitting.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from factory.development.models import Category, Job, Script
from factory.development.services import (
    directory_ensure,
    job_create,
    job_lock,
    job_move,
    job_save,
    job_submit,
    script_create,
    script_lock,
    script_move,
    script_save,
    script_submit,
)
from factory.development.validation import directory_path_normalize
from factory.errors import ValidationError
from factory.workspaces.models import Workspace

TARGET_STATUSES = ("SAVED", "SUBMITTED", "PRODUCTION")
# Keys of a create/update body that steer the request (review mode), not part of the definition.
REQUEST_ONLY_KEYS = ("targetStatus", "approvers")
VERSION_DESCRIPTION = "Submitted through the v1 API."


def _definition_split(document: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The definition without the request-only keys, and whether to submit it."""
    definition = copy.deepcopy(document)
    target = definition.get("targetStatus")
    for key in REQUEST_ONLY_KEYS:
        definition.pop(key, None)
    if target is not None and target not in TARGET_STATUSES:
        raise ValidationError(
            f"targetStatus must be one of {', '.join(TARGET_STATUSES)}.", fields={"targetStatus": "invalid"}
        )
    return definition, target != "SAVED"


def _same_name(kind: str, definition: dict[str, Any], name: str) -> None:
    given = definition.get("name", name)
    if given != name:
        raise ValidationError(
            f"The {kind} is {name}; the body names {given}. Renaming is not part of the v1 update.",
            fields={"name": "must be the name in the path"},
        )


@transaction.atomic
def v1_job_create(*, workspace: Workspace, user: User, document: dict[str, Any]) -> Job:
    definition, submit = _definition_split(document)
    job = job_create(workspace=workspace, user=user, document=definition)
    if submit:
        job_submit(job=job, user=user, description=VERSION_DESCRIPTION)
    return job


@transaction.atomic
def v1_job_update(*, job: Job, user: User, document: dict[str, Any]) -> Job:
    definition, submit = _definition_split(document)
    _same_name("job", definition, job.name)
    job_lock(job=job, user=user)
    if "directory" in definition:
        path = directory_path_normalize(definition["directory"], field="directory")
        current = job.directory.path if job.directory is not None else "/"
        if path != current:
            directory_ensure(workspace=job.workspace, category=Category.JOB, path=path)
            job = job_move(job=job, user=user, directory_path=path)
    job = job_save(job=job, user=user, document=definition)
    if submit:
        job_submit(job=job, user=user, description=VERSION_DESCRIPTION)
    return job


@transaction.atomic
def v1_script_create(*, workspace: Workspace, user: User, document: dict[str, Any]) -> Script:
    definition, submit = _definition_split(document)
    script = script_create(workspace=workspace, user=user, document=definition)
    if submit:
        script_submit(script=script, user=user, description=VERSION_DESCRIPTION)
    return script


@transaction.atomic
def v1_script_update(*, script: Script, user: User, document: dict[str, Any]) -> Script:
    definition, submit = _definition_split(document)
    _same_name("script", definition, script.name)
    script_lock(script=script, user=user)
    if "directory" in definition:
        path = directory_path_normalize(definition["directory"], field="directory")
        current = script.directory.path if script.directory is not None else "/"
        if path != current:
            directory_ensure(workspace=script.workspace, category=Category.SCRIPT, path=path)
            script = script_move(script=script, user=user, directory_path=path)
    script = script_save(script=script, user=user, document=definition)
    if submit:
        script_submit(script=script, user=user, description=VERSION_DESCRIPTION)
    return script
