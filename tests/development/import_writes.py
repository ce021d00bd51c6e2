"""The import's bulk write as the apply calls it (``factory.transfer.imports.write``): a batch is checked,
then what passed is saved. For the tests of what an import leaves of a job or a script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from factory.development.models import Job, Script
from factory.development.services import (
    ImportEntry,
    jobs_import_check,
    jobs_import_save,
    scripts_import_check,
    scripts_import_save,
)
from factory.errors import DomainError


def checked_then_saved(checked: list, save: Callable[[list], list]) -> list:
    """What the apply does with a batch: save the entries that passed their checks; per entry, in order,
    what was written or why not."""
    saved = iter(save([r for r in checked if not isinstance(r, DomainError)]))
    return [r if isinstance(r, DomainError) else next(saved) for r in checked]


def jobs_import_write(*, workspace, user, entries, version_description, submit=True) -> list:
    return checked_then_saved(
        jobs_import_check(workspace=workspace, user=user, entries=entries),
        lambda rows: jobs_import_save(
            workspace=workspace, user=user, rows=rows, version_description=version_description, submit=submit
        ),
    )


def scripts_import_write(*, workspace, user, entries, version_description, submit=True) -> list:
    return checked_then_saved(
        scripts_import_check(workspace=workspace, user=user, entries=entries),
        lambda rows: scripts_import_save(
            workspace=workspace, user=user, rows=rows, version_description=version_description, submit=submit
        ),
    )


def _one(write: Callable[..., list], *, document: Any, obj: Any, **kwargs: Any) -> Any:
    (result,) = write(entries=[ImportEntry(document=document, obj=obj)], **kwargs)
    if isinstance(result, DomainError):
        raise result
    return result.obj


def job_import_one(*, workspace, user, document, obj: Job | None, version_description, submit=True) -> Job:
    """One job imported, in a batch of its own: the job written, or the check's error raised."""
    return _one(
        jobs_import_write,
        workspace=workspace,
        user=user,
        document=document,
        obj=obj,
        version_description=version_description,
        submit=submit,
    )


def script_import_one(
    *, workspace, user, document, obj: Script | None, version_description, submit=True
) -> Script:
    """One script imported, in a batch of its own: the script written, or the check's error raised."""
    return _one(
        scripts_import_write,
        workspace=workspace,
        user=user,
        document=document,
        obj=obj,
        version_description=version_description,
        submit=submit,
    )
