"""Writes of scripts: create, save, submit, rename, move, copy, delete, roll back, import.

The same rules as jobs; the document is DataArts' script definition (name, type, content,
connectionName, database, queueName, configuration, description, directory).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction

from factory.development.models import Category, Script, ScriptVersion
from factory.development.selectors.selection import ObjectSelection
from factory.development.services import objects
from factory.development.services.directories import directory_get_by_path, documents_directory_sync
from factory.development.services.locks import lock_require_acquirable
from factory.development.services.objects_import import (
    Checked,
    Imported,
    ImportEntry,
    objects_import_check,
    objects_import_save,
)
from factory.development.validation import script_validate
from factory.errors import Conflict, DomainError, ErrorCode, NotFound
from factory.workspaces.models import Workspace


def _columns(doc: dict) -> dict[str, Any]:
    connection = doc.get("connectionName")
    return {
        "type": str(doc.get("type") or ""),
        "connection_name": connection if isinstance(connection, str) else "",
    }


def _owner_of(doc: dict) -> str:
    owner = doc.get("owner")
    return owner.strip() if isinstance(owner, str) else ""


SCRIPT = objects.Kind(
    model=Script, category=Category.SCRIPT, validate=script_validate, columns=_columns, owner_of=_owner_of
)


def script_create(*, workspace: Workspace, user: User, document: dict) -> Script:
    """Create a script from its definition, locked to ``user``; a missing directory is created."""
    return objects.object_create(SCRIPT, workspace=workspace, user=user, document=document)


def script_save(
    *,
    script: Script,
    user: User,
    document: dict,
    if_match: int | None = None,
    new_version: bool = False,
) -> Script:
    """Save the development state (needs the lock); as ``job_save``."""
    return objects.object_save(
        SCRIPT, obj=script, user=user, document=document, if_match=if_match, new_version=new_version
    )


def script_submit(*, script: Script, user: User, description: str = "") -> ScriptVersion:
    # a script's versions are ScriptVersions (objects.py serves both kinds)
    return cast(ScriptVersion, objects.object_submit(SCRIPT, obj=script, user=user, description=description))


def script_rename(*, script: Script, user: User, name: str) -> Script:
    return objects.object_rename(SCRIPT, obj=script, user=user, name=name)


def script_move(*, script: Script, user: User, directory_path: str) -> Script:
    return objects.object_move(SCRIPT, obj=script, user=user, directory_path=directory_path)


def script_copy(*, script: Script, user: User, new_name: str, directory_path: str | None = None) -> Script:
    return objects.object_copy(
        SCRIPT, obj=script, user=user, new_name=new_name, directory_path=directory_path
    )


@transaction.atomic
def script_delete(*, script: Script, user: User) -> None:
    """Delete a script and its versions; refused while hard-locked by someone else."""
    (current,) = objects.objects_for_batch(SCRIPT, workspace=script.workspace, ids=[script.pk])
    lock_require_acquirable(obj=current, user=user, action="deleted")
    current.delete()


@transaction.atomic
def scripts_delete(
    *,
    workspace: Workspace,
    user: User,
    script_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> int:
    """Delete several scripts, all or none: the first that cannot be deleted is named in the error."""
    scripts = objects.objects_for_batch(SCRIPT, workspace=workspace, ids=script_ids, selection=selection)
    for script in scripts:
        try:
            lock_require_acquirable(obj=script, user=user, action="deleted")
        except Conflict as exc:
            raise type(exc)(f"{exc.message} Nothing was deleted.", code=exc.code) from exc
    objects.objects_rows_delete(SCRIPT, pks=[script.pk for script in scripts])
    return len(scripts)


@transaction.atomic
def scripts_move(
    *,
    workspace: Workspace,
    user: User,
    directory_path: str,
    script_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> int:
    """Move several scripts into one existing directory, all or none."""
    directory = directory_get_by_path(workspace=workspace, category=Category.SCRIPT, path=directory_path)
    scripts = objects.objects_for_batch(SCRIPT, workspace=workspace, ids=script_ids, selection=selection)
    for script in scripts:
        try:
            lock_require_acquirable(obj=script, user=user, action="moved")
        except Conflict as exc:
            raise type(exc)(f"{exc.message} Nothing was moved.", code=exc.code) from exc
    moved = Script.objects.filter(pk__in=[script.pk for script in scripts])
    moved.update(directory=directory)
    documents_directory_sync(moved)
    return len(scripts)


def script_rollback(*, script: Script, user: User, version: ScriptVersion) -> Script:
    """Restore ``version``'s content into the development state, as a save (needs the lock)."""
    if version.script_id != script.pk:
        raise NotFound(
            f"Version {version.pk} of script {script.name} does not exist.", code=ErrorCode.VERSION_NOT_FOUND
        )
    return objects.object_save(
        SCRIPT, obj=script, user=user, document=version.document, if_match=None, new_version=True
    )


def scripts_import_check(
    *, workspace: Workspace, user: User, entries: Sequence[ImportEntry[Script]]
) -> list[Checked[Script] | DomainError]:
    """Validate many scripts of an import before any is written: per entry a ``Checked`` row or its error
    (see ``objects_import``)."""
    return objects_import_check(SCRIPT, workspace=workspace, user=user, entries=entries)


def scripts_import_save(
    *,
    workspace: Workspace,
    user: User,
    rows: Sequence[Checked[Script]],
    version_description: str,
    submit: bool = True,
) -> list[Imported[Script]]:
    """Write checked scripts of an import in bulk, as ``jobs_import_save`` writes jobs."""
    return objects_import_save(
        SCRIPT,
        workspace=workspace,
        user=user,
        rows=rows,
        version_description=version_description,
        submit=submit,
    )
