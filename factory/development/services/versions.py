"""Versions of jobs and scripts: saved (at most one a minute) and submitted; the latest 100 of each kept.

Callers hold the object's row lock (``select_for_update``), so version numbers never race.
"""

from __future__ import annotations

import copy
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from factory.development.models import (
    MAX_SUBMITTED_VERSIONS,
    Job,
    JobVersion,
    Script,
    ScriptVersion,
    VersionKind,
)
from factory.errors import ValidationError

SAVED_VERSION_INTERVAL = timedelta(seconds=60)
DESCRIPTION_MAX = 128

VersionModel = JobVersion | ScriptVersion


def version_model(obj: Job | Script) -> tuple[type[VersionModel], str]:
    """The version model of ``obj`` and the name of its foreign key to ``obj``."""
    return (JobVersion, "job") if isinstance(obj, Job) else (ScriptVersion, "script")


def version_description_validate(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        message = f"The version description is {len(description)} characters long; at most {DESCRIPTION_MAX}."
        raise ValidationError(message, fields={"description": message})
    return description


def version_record(
    *,
    obj: Job | Script,
    user: User | None,
    kind: str,
    description: str = "",
    force: bool = False,
) -> VersionModel | None:
    """Snapshot ``obj.document`` as a new version of ``kind``.

    A saved version is skipped (None) while the last one is younger than a minute, unless ``force``.
    Older versions beyond the latest 100 of that kind are deleted in one query.
    """
    model, fk = version_model(obj)
    versions = model.objects.filter(**{fk: obj}, kind=kind)
    last = versions.order_by("-number").values("number", "created_at").first()
    if (
        kind == VersionKind.SAVED
        and not force
        and last is not None
        and timezone.now() - last["created_at"] < SAVED_VERSION_INTERVAL
    ):
        return None
    number = (last["number"] if last else 0) + 1
    version = model(
        **{fk: obj},
        kind=kind,
        number=number,
        document=copy.deepcopy(obj.document),
        description=version_description_validate(description),
        created_by=user,
    )
    version.save()
    if number > MAX_SUBMITTED_VERSIONS:
        versions.filter(number__lte=number - MAX_SUBMITTED_VERSIONS).delete()
    return version
