"""What the writes of jobs and scripts share: a development state kept as one whole document.

``jobs.py`` and ``scripts.py`` are thin typed wrappers over these, each with its ``Kind``. The document is
stored whole (unknown keys kept); only ``name`` and ``directory`` are overwritten from the columns, which
only rename and move change. A kind with ``secrets_split`` (jobs) has its secret values taken out of every
document written, into the encrypted column, before the document or a version of it is stored.

These write one object at a time, as the console does; an import of many writes them in bulk through
``objects_import.py``, to the same end state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from factory.crypto import secrets_decrypt, secrets_encrypt
from factory.development.models import Directory, Job, Script, VersionKind
from factory.development.selectors.selection import ObjectSelection, selection_missing, selection_queryset
from factory.development.services.directories import directory_ensure, directory_get_by_path
from factory.development.services.locks import lock_require_acquirable, lock_require_held
from factory.development.services.versions import VersionModel, version_description_validate, version_record
from factory.errors import Conflict, NotFound, PreconditionFailed, ValidationError
from factory.workspaces.models import Workspace

Obj = TypeVar("Obj", Job, Script)

_FOREIGN_KEYS = ["workspace", "directory", "lock_holder", "created_by", "updated_by"]


@dataclass(frozen=True)
class Kind(Generic[Obj]):
    """How one kind of locked object (job or script) reads its document."""

    model: type[Obj]
    category: str
    validate: Callable[[Any], None]
    columns: Callable[[dict], dict[str, Any]]  # the columns pulled out of a (valid) document
    owner_of: Callable[[dict], str]  # the owner a document names, or ""
    # (document, stored secrets) -> (document without secret values, secrets); None: no secrets
    secrets_split: Callable[..., tuple[dict, dict[str, Any]]] | None = None

    @property
    def label(self) -> str:
        return self.model.__name__

    @property
    def word(self) -> str:
        return self.label.lower()


def _path(directory: Directory | None) -> str:
    return directory.path if directory is not None else "/"


def _directory_as_written(written: Any, directory: Directory | None) -> str:
    """The document's own ``directory`` when it names ``directory`` (DataArts writes ``/a/b/`` as often
    as ``/a/b``, and a round trip keeps the document as written), else ``directory``'s path."""
    path = _path(directory)
    if isinstance(written, str) and written != path and written.strip("/") == path.strip("/"):
        if written.startswith("/") and "//" not in written:
            return written
    return path


def _prepared(kind: Kind[Any], document: Any, **overrides: Any) -> dict:
    """A validated deep copy of ``document`` with ``overrides`` (name, directory) applied."""
    if not isinstance(document, dict):
        message = f"A {kind.word} definition must be a JSON object."
        raise ValidationError(message, fields={"document": message})
    doc = copy.deepcopy(document)
    doc.update(overrides)
    kind.validate(doc)
    return doc


def _clean(obj: Job | Script, *, exclude: list[str] = _FOREIGN_KEYS) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        fields = {key: " ".join(messages) for key, messages in exc.message_dict.items()}
        raise ValidationError(f"{next(iter(fields))}: {next(iter(fields.values()))}", fields=fields) from exc


def _name_free(
    kind: Kind[Any], *, workspace: Workspace | int, name: str, exclude_pk: int | None = None
) -> None:
    others = kind.model.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise Conflict(f"{kind.label} {name} already exists.", code=kind.model.exists_code)


def _secrets_stored(kind: Kind[Any], obj: Job | Script) -> dict[str, Any]:
    if kind.secrets_split is None:
        return {}
    job = cast(Job, obj)  # only the job kind splits secrets out of its document
    if not job.secrets_encrypted:
        return {}
    return secrets_decrypt(ciphertext=job.secrets_encrypted)


def _secrets_take(kind: Kind[Any], obj: Job | Script, doc: dict, *, stored: dict[str, Any] | None) -> dict:
    """``doc`` without its secret values, which go (merged with ``stored``, by default ``obj``'s own) into
    ``obj``'s encrypted column."""
    if kind.secrets_split is None:
        return doc
    before = _secrets_stored(kind, obj) if stored is None else stored
    doc, secrets = kind.secrets_split(document=doc, stored=before)
    job = cast(Job, obj)  # only the job kind splits secrets out of its document
    job.secrets_encrypted = secrets_encrypt(values=secrets)
    job.secret_fields = sorted(secrets)
    return doc


def _apply(
    kind: Kind[Obj],
    obj: Obj,
    doc: dict,
    *,
    user: User,
    directory: Directory | None,
    stored_secrets: dict[str, Any] | None = None,
) -> Obj:
    """Write ``doc`` into ``obj``'s development state (not saved): columns, owner, revision, secrets.

    ``stored_secrets`` replace ``obj``'s own as the secrets that empty values keep (a copy's source's)."""
    doc["name"] = obj.name
    doc["directory"] = _directory_as_written(doc.get("directory"), directory)
    obj.directory = directory
    obj.document = _secrets_take(kind, obj, doc, stored=stored_secrets)
    doc = obj.document
    obj.owner = kind.owner_of(doc) or obj.owner or user.get_username()
    for column, value in kind.columns(doc).items():
        setattr(obj, column, value)
    obj.updated_by = user
    if obj.pk is not None:
        obj.revision += 1
    return obj


def _insert(
    kind: Kind[Obj],
    *,
    workspace: Workspace,
    user: User,
    doc: dict,
    directory: Directory | None,
    stored_secrets: dict[str, Any] | None = None,
) -> Obj:
    """A new object from a validated document, locked to its creator."""
    _name_free(kind, workspace=workspace, name=doc["name"])
    obj = kind.model(
        workspace=workspace,
        name=doc["name"],
        lock_holder=user,
        locked_at=timezone.now(),
        created_by=user,
    )
    _apply(kind, obj, doc, user=user, directory=directory, stored_secrets=stored_secrets)
    _clean(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(f"{kind.label} {obj.name} already exists.", code=kind.model.exists_code) from exc
    return obj


def _row_locked(kind: Kind[Obj], obj: Obj) -> Obj:
    """``obj`` re-read under a row lock, so that concurrent saves of it run one after the other.

    The lock is taken without joins, then the row is read again with its related objects: a locking
    statement that waited re-checks the updated row against the joined rows it had already fetched
    (PostgreSQL's EvalPlanQual), so a foreign key changed meanwhile would come back as None.
    """
    list(kind.model.objects.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))
    return kind.model.objects.select_related("workspace", "directory", "lock_holder", "updated_by").get(
        pk=obj.pk
    )


@transaction.atomic
def object_create(kind: Kind[Obj], *, workspace: Workspace, user: User, document: Any) -> Obj:
    doc = _prepared(kind, document)
    directory = directory_ensure(workspace=workspace, category=kind.category, path=doc.get("directory"))
    return _insert(kind, workspace=workspace, user=user, doc=doc, directory=directory)


@transaction.atomic
def object_save(
    kind: Kind[Obj], *, obj: Obj, user: User, document: Any, if_match: int | None, new_version: bool
) -> Obj:
    current = _row_locked(kind, obj)
    lock_require_held(obj=current, user=user, action="saving")
    if if_match is not None and if_match != current.revision:
        by = f" by {current.updated_by.get_username()}" if current.updated_by else ""
        raise PreconditionFailed(
            f"{kind.label} {current.name} was changed{by} since you opened it (revision {if_match}, now "
            f"{current.revision}). Reload it, then save again."
        )
    written = document.get("directory") if isinstance(document, dict) else None
    doc = _prepared(
        kind, document, name=current.name, directory=_directory_as_written(written, current.directory)
    )
    _apply(kind, current, doc, user=user, directory=current.directory)
    _clean(current)
    current.save()
    version_record(obj=current, user=user, kind=VersionKind.SAVED, force=new_version)
    return current


@transaction.atomic
def object_submit(kind: Kind[Obj], *, obj: Obj, user: User, description: str) -> VersionModel:
    current = _row_locked(kind, obj)
    lock_require_held(obj=current, user=user, action="submitting")
    description = version_description_validate(description)
    kind.validate(current.document)
    # a submitted version is always recorded (only a saved one is skipped, and returns None)
    version = cast(
        VersionModel,
        version_record(obj=current, user=user, kind=VersionKind.SUBMITTED, description=description),
    )
    kind.model.objects.filter(pk=current.pk).update(submitted_revision=current.revision)
    obj.submitted_revision = current.revision
    return version


@transaction.atomic
def object_rename(kind: Kind[Obj], *, obj: Obj, user: User, name: str) -> Obj:
    current = _row_locked(kind, obj)
    if name == current.name:
        return current
    lock_require_acquirable(obj=current, user=user, action="renamed")
    doc = _prepared(kind, current.document, name=name)
    _name_free(kind, workspace=current.workspace_id, name=name, exclude_pk=current.pk)
    current.name = name
    _apply(kind, current, doc, user=user, directory=current.directory)
    _clean(current)
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError as exc:
        raise Conflict(f"{kind.label} {name} already exists.", code=kind.model.exists_code) from exc
    return current


@transaction.atomic
def object_move(kind: Kind[Obj], *, obj: Obj, user: User, directory_path: str) -> Obj:
    """Move into an existing directory. Not a change of the definition: revision and submitted state stay."""
    current = _row_locked(kind, obj)
    directory = directory_get_by_path(
        workspace=current.workspace, category=kind.category, path=directory_path
    )
    lock_require_acquirable(obj=current, user=user, action="moved")
    current.directory = directory
    current.document = {**current.document, "directory": _path(directory)}
    current.save(update_fields=["directory", "document", "updated_at"])
    return current


@transaction.atomic
def object_copy(kind: Kind[Obj], *, obj: Obj, user: User, new_name: str, directory_path: str | None) -> Obj:
    if directory_path is None:
        directory = obj.directory
    else:
        directory = directory_get_by_path(
            workspace=obj.workspace, category=kind.category, path=directory_path
        )
    doc = _prepared(kind, obj.document, name=new_name, directory=_path(directory))
    # The copy keeps the source's secrets: its document is the source's, secret values emptied.
    return _insert(
        kind,
        workspace=obj.workspace,
        user=user,
        doc=doc,
        directory=directory,
        stored_secrets=_secrets_stored(kind, obj),
    )


def objects_for_batch(
    kind: Kind[Obj],
    *,
    workspace: Workspace,
    ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> list[Obj]:
    """The objects of ``ids`` or of the tree's compact ``selection`` (directories, exclusions) in the
    workspace, row-locked, in name order; NotFound naming a missing id or directory. Three queries at
    most, whatever the number of objects."""
    selection = selection if selection is not None else ObjectSelection(ids=tuple(ids))
    selected = selection_queryset(workspace=workspace, model=kind.model, selection=selection)
    # Lock without joins, then read with them (see _row_locked: EvalPlanQual and joined rows): the
    # selection's directory filter joins, so it stays inside a subquery of the locking query.
    locked = list(
        kind.model.objects.select_for_update()
        .filter(workspace=workspace, pk__in=selected.values("pk"))
        .order_by("name")
        .values_list("pk", flat=True)
    )
    rows = list(
        kind.model.objects.select_related("workspace", "lock_holder")
        .defer("document")
        .filter(pk__in=locked)
        .order_by("name")
    )
    missing = selection_missing(selection=selection, found={row.pk for row in rows})
    if missing:
        raise NotFound(f"{kind.label} {missing[0]} does not exist.", code=kind.model.not_found_code)
    return rows


def objects_rows_delete(kind: Kind[Obj], *, pks: list[int]) -> None:
    """Delete objects and their versions in two statements, whatever their number. Django's cascade would
    read every object (documents included) and delete them a hundred per statement: a batch delete of a
    directory of 5,000 jobs would be fifty. Versions are the only rows that reference a job or a script
    and no signal listens, so the versions go first, then the objects, by a plain DELETE (a reference
    added later without being deleted here fails the foreign key instead of being left dangling)."""
    versions = kind.model._meta.get_field("versions").related_model
    versions._default_manager.filter(**{f"{kind.word}_id__in": pks}).delete()
    rows = kind.model.objects.filter(pk__in=pks)
    rows._raw_delete(rows.db)
