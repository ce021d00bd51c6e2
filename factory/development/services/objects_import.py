"""The bulk write of an import: many jobs (or scripts) created or overwritten in a constant number of
queries per batch, to the same end state whatever the batch (one object or thousands).

Two steps, so that the caller can drop what depends on an object that failed before anything is written:

- ``objects_import_check`` validates every document in Python (the document rules, the directory path,
  the columns and owner against the model's fields) and looks every name up in one query; an entry that
  fails gets its own error, the others a ``Checked`` row;
- ``objects_import_save`` writes the checked rows: their directories (one query per depth), the new
  objects with ``bulk_create`` and the overwritten ones (row-locked, re-read without their documents)
  with ``bulk_update``, each locked to the importer with its revision bumped and its secrets kept apart,
  then one version each (``bulk_create``, numbered after one query for the last numbers) and one DELETE
  of the versions beyond the latest 100.

The console's single-object writes stay in ``objects.py``; these exist for imports of thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from factory.development.models import MAX_SUBMITTED_VERSIONS, VersionKind
from factory.development.services.directories import directories_ensure
from factory.development.services.objects import _FOREIGN_KEYS, Kind, Obj, _apply, _clean
from factory.development.services.versions import VersionModel, version_description_validate, version_model
from factory.development.validation import directory_path_normalize
from factory.errors import Conflict, DomainError, NotFound, ValidationError
from factory.workspaces.models import Workspace

BATCH_SIZE = 500  # rows per INSERT or UPDATE statement
# Fields a document's columns and owner are checked against as full_clean would; the document itself is
# parsed JSON (always serialisable) and the secrets are ours.
_NOT_CHECKED = [*_FOREIGN_KEYS, "document", "secrets_encrypted", "secret_fields"]


# Any model, not only a job or script (``Obj``): resources are imported through ImportEntry too.
Target = TypeVar("Target")


@dataclass
class ImportEntry(Generic[Target]):
    """One object to import: its document, and the object it overwrites (None: a new object)."""

    document: Any
    obj: Target | None = None


@dataclass
class Checked(Generic[Obj]):
    """An entry whose document passed every check: ready for ``objects_import_save``."""

    document: dict[str, Any]  # a top-level copy of the entry's document; deeper levels are shared
    directory: str  # the canonical path, "/" for the root
    obj: Obj | None


@dataclass
class Imported(Generic[Obj]):
    """An object written by ``objects_import_save`` and the version recorded for it."""

    obj: Obj
    version: VersionModel


def _check_one(kind: Kind, entry: ImportEntry, *, workspace: Workspace, user: User) -> Checked:
    document = entry.document
    if not isinstance(document, dict):
        message = f"A {kind.word} definition must be a JSON object."
        raise ValidationError(message, fields={"document": message})
    # The checks read the document; the writes change top-level keys only (name, directory) or copy
    # (the secrets split): a top-level copy protects the caller's document.
    doc = dict(document)
    kind.validate(doc)
    directory = directory_path_normalize(doc.get("directory"), field="directory")
    probe = kind.model(
        workspace=workspace,
        name=doc["name"],
        owner=kind.owner_of(doc) or (entry.obj.owner if entry.obj is not None else "") or user.get_username(),
        **kind.columns(doc),
    )
    _clean(probe, exclude=_NOT_CHECKED)
    return Checked(document=doc, directory=directory, obj=entry.obj)


def objects_import_check(
    kind: Kind, *, workspace: Workspace, user: User, entries: Sequence[ImportEntry]
) -> list[Checked | DomainError]:
    """Per entry, in order: a ``Checked`` row, or the error that keeps it from being written (an invalid
    document, directory or column; a name another object of the workspace, or an earlier entry, has).

    One query per ``BATCH_SIZE`` entries (the names); nothing is written."""
    results: list[Checked | DomainError] = []
    for entry in entries:
        try:
            results.append(_check_one(kind, entry, workspace=workspace, user=user))
        except DomainError as exc:
            results.append(exc)
    names = [r.document["name"] for r in results if isinstance(r, Checked)]
    holders: dict[str, int] = {}
    for start in range(0, len(names), BATCH_SIZE):
        holders.update(
            kind.model.objects.filter(
                workspace=workspace, name__in=names[start : start + BATCH_SIZE]
            ).values_list("name", "pk")
        )
    claimed: set[str] = set()
    for index, row in enumerate(results):
        if not isinstance(row, Checked):
            continue
        name = row.document["name"]
        holder = holders.get(name)
        own = row.obj.pk if row.obj is not None else None
        if name in claimed or (holder is not None and holder != own):
            results[index] = Conflict(f"{kind.label} {name} already exists.", code=kind.model.exists_code)
        claimed.add(name)
    return results


def rows_update(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """``bulk_update(objs, fields)`` in batches. On PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per
    batch: ``bulk_update`` builds a CASE of every row for every field, which costs several times the write
    itself in Python. Auto-now fields are written as they are on the objects."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_update(objs, fields, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    # the primary key and the named fields are all concrete columns of the table (the stubs allow for
    # relations and fields without a column)
    columns: list[Any] = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    for start in range(0, len(objs), BATCH_SIZE):
        batch = objs[start : start + BATCH_SIZE]
        params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in batch for f in columns]
        sql = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) "
            f"AS v ({names}) WHERE {table}.{quote(columns[0].column)} = v.{quote(columns[0].column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _fresh(kind: Kind, pks: list[int]) -> dict[int, Any]:
    """The overwritten objects re-read under a row lock (no joins: see ``_row_locked``), documents left
    out since they are replaced."""
    rows: dict[int, Any] = {}
    for start in range(0, len(pks), BATCH_SIZE):
        rows.update(
            (o.pk, o)
            for o in kind.model.objects.select_for_update()
            .filter(pk__in=pks[start : start + BATCH_SIZE])
            .defer("document")
        )
    missing = [pk for pk in pks if pk not in rows]
    if missing:
        raise NotFound(f"{kind.label} {missing[0]} does not exist any more.", code=kind.model.not_found_code)
    return rows


def _versions(
    objs: list[Any],
    *,
    overwritten: list[int],
    user: User,
    version_kind: str,
    description: str,
) -> list[VersionModel]:
    """One new version of each of ``objs``, numbered after the last of its kind, older ones beyond the
    latest 100 deleted."""
    model, fk = version_model(objs[0])
    last: dict[int, int] = {}
    for start in range(0, len(overwritten), BATCH_SIZE):
        last.update(
            model.objects.filter(**{f"{fk}__in": overwritten[start : start + BATCH_SIZE]}, kind=version_kind)
            .values(fk)
            .annotate(last=Max("number"))
            .values_list(fk, "last")
        )
    versions = [
        model(
            **{fk: obj},
            kind=version_kind,
            number=last.get(obj.pk, 0) + 1,
            # Written as JSON and never changed in memory: the version may share the object's document.
            document=obj.document,
            description=description,
            created_by=user,
        )
        for obj in objs
    ]
    # every version is of ``model``: objs are all of one kind (the type checker sees a union of both)
    model.objects.bulk_create(cast(list[Any], versions), batch_size=BATCH_SIZE)
    full = [getattr(v, f"{fk}_id") for v in versions if v.number > MAX_SUBMITTED_VERSIONS]
    if full:
        newest = (
            model.objects.filter(**{fk: OuterRef(fk)}, kind=version_kind)
            .order_by("-number")
            .values("number")[:1]
        )
        for start in range(0, len(full), BATCH_SIZE):
            model.objects.filter(
                **{f"{fk}__in": full[start : start + BATCH_SIZE]},
                kind=version_kind,
                number__lte=Subquery(newest) - MAX_SUBMITTED_VERSIONS,
            ).delete()
    return versions


@transaction.atomic
def objects_import_save(
    kind: Kind,
    *,
    workspace: Workspace,
    user: User,
    rows: Sequence[Checked],
    version_description: str,
    submit: bool,
) -> list[Imported]:
    """Write the checked ``rows`` (see the module); per row, in order, the object and its new version.

    A name taken meanwhile by a concurrent write is a Conflict for the whole call (nothing is written)."""
    if not rows:
        return []
    description = version_description_validate(version_description)
    now = timezone.now()
    directories = directories_ensure(
        workspace=workspace, category=kind.category, paths=[r.directory for r in rows if r.directory != "/"]
    )
    fresh = _fresh(kind, [r.obj.pk for r in rows if r.obj is not None])
    objs, created, updated = [], [], []
    for row in rows:
        if row.obj is None:
            obj = kind.model(workspace=workspace, name=row.document["name"], created_by=user)
            created.append(obj)
        else:
            obj = fresh[row.obj.pk]
            obj.name = row.document["name"]
            obj.updated_at = now  # bulk_update leaves auto_now fields alone
            updated.append(obj)
        _apply(kind, obj, row.document, user=user, directory=directories.get(row.directory))
        obj.lock_holder, obj.locked_at = user, now
        if submit:
            obj.submitted_revision = obj.revision
        objs.append(obj)
    try:
        with transaction.atomic():
            kind.model.objects.bulk_create(created, batch_size=BATCH_SIZE)
    except IntegrityError as exc:
        raise Conflict(
            f"Another {kind.word} of the same name was created meanwhile.",
            code=kind.model.exists_code,
        ) from exc
    if updated:
        fields = ["name", "directory", "document", "owner", *kind.columns({}), "updated_by", "revision"]
        fields += ["lock_holder", "locked_at", "updated_at"]
        if kind.secrets_split is not None:
            fields += ["secrets_encrypted", "secret_fields"]
        if submit:
            fields.append("submitted_revision")
        rows_update(kind.model, updated, fields)
    versions = _versions(
        objs,
        overwritten=[o.pk for o in updated],
        user=user,
        version_kind=VersionKind.SUBMITTED if submit else VersionKind.SAVED,
        description=description,
    )
    return [Imported(obj=obj, version=version) for obj, version in zip(objs, versions, strict=True)]
