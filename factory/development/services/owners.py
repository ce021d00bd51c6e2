"""Configure Owner: the owner of many jobs or scripts changed at once, as DataArts' tree menus do.

Two selections, which may be combined: the ticked objects (by id), and DataArts' *Migrate* (every
object whose current owner is X goes to the target owner); both given, the ticked ones owned by X.
The owner lives twice, in the ``owner`` column (listing, search) and in the document (a job's
``basicConfig.owner``, a script's ``owner``), which exports and every later save read: both change in
one UPDATE, in the database, whatever the number of objects.

The document changes, so ``revision`` is bumped: an editor still holding the old definition gets 412 on
save instead of silently writing the old owner back. Like a move, no version is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F, Func, Value
from django.utils import timezone

from factory.development.models import Category, Job, Script
from factory.development.selectors.selection import ObjectSelection, selection_missing, selection_queryset
from factory.development.services.locks import locks_overridable
from factory.errors import LockError, NotFound, ValidationError
from factory.workspaces.models import Workspace

OWNER_MAX_LENGTH = 128  # DataArts' basicConfig.owner limit, and the column's
_MODELS: dict[str, type[Job | Script]] = {Category.JOB: Job, Category.SCRIPT: Script}
_NAMES_SHOWN = 10


@dataclass(frozen=True)
class OwnerChangeResult:
    """What Configure Owner did: how many objects it changed, and how many already had the owner."""

    changed: int = 0
    skipped: int = 0


class _JsonSetOwner(Func):
    """``document`` with its owner (a job's ``basicConfig.owner``, a script's ``owner``) set, in the
    database. A job whose ``basicConfig`` is missing or not an object gets ``{"owner": ...}``."""

    output_field = models.JSONField()

    def __init__(self, document: F, owner: Value, *, nested: bool) -> None:
        super().__init__(document, owner)
        self.nested = nested

    def _compiled(self, compiler):
        doc_sql, doc_params = compiler.compile(self.source_expressions[0])
        value_sql, value_params = compiler.compile(self.source_expressions[1])
        return doc_sql, doc_params, value_sql, value_params

    def as_sql(self, compiler, connection, **extra_context):  # SQLite
        doc, doc_p, value, value_p = self._compiled(compiler)
        if not self.nested:
            return f"json_set({doc}, '$.owner', {value})", (*doc_p, *value_p)
        sql = (
            f"json_set({doc}, '$.basicConfig', json(CASE WHEN json_type({doc}, '$.basicConfig') = 'object' "
            f"THEN json_set(json_extract({doc}, '$.basicConfig'), '$.owner', {value}) "
            f"ELSE json_object('owner', {value}) END))"
        )
        return sql, (*doc_p, *doc_p, *doc_p, *value_p, *value_p)

    def as_postgresql(self, compiler, connection, **extra_context):
        doc, doc_p, value, value_p = self._compiled(compiler)
        if not self.nested:
            return f"jsonb_set({doc}, '{{owner}}', to_jsonb(({value})::text))", (*doc_p, *value_p)
        sql = (
            f"jsonb_set({doc}, '{{basicConfig}}', (CASE WHEN jsonb_typeof({doc} -> 'basicConfig') = 'object' "
            f"THEN {doc} -> 'basicConfig' ELSE '{{}}'::jsonb END) "
            f"|| jsonb_build_object('owner', ({value})::text))"
        )
        return sql, (*doc_p, *doc_p, *doc_p, *value_p)


def _owner_clean(value: str | None, *, field: str, label: str) -> str:
    owner = (value or "").strip()
    if not owner or len(owner) > OWNER_MAX_LENGTH:
        message = f"{label} must be 1 to {OWNER_MAX_LENGTH} characters (got {len(owner)})."
        raise ValidationError(message, fields={field: message})
    return owner


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    return shown + (f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else "")


@transaction.atomic
def objects_owner_set(
    *,
    workspace: Workspace,
    user: User,
    category: str,
    owner: str,
    ids: list[int] | None = None,
    current_owner: str | None = None,
    selection: ObjectSelection | None = None,
) -> OwnerChangeResult:
    """Set the owner of the ticked jobs (``category`` "job") or scripts (``ids``), and/or of every one
    whose owner is ``current_owner`` (DataArts' Migrate), to ``owner``; all or nothing.

    Refused, changing nothing: an owner that is empty or longer than 128 characters; neither ids nor a
    current owner; an id not in ``workspace`` (other workspaces' objects are as unknown as missing ones);
    objects locked by someone else under the hard lock policy (unless ``user`` is a workspace admin),
    all of them named. Objects that already have ``owner`` are left alone and counted as skipped.
    A constant number of queries, whatever the number of objects.
    """
    model = _MODELS.get(category)
    if model is None:
        message = f"Unknown category {category!r}; the owner of jobs or scripts can be configured."
        raise ValidationError(message, fields={"category": message})
    noun = model.__name__.lower()
    owner = _owner_clean(owner, field="owner", label="Target Owner")
    if selection is None or selection.empty:
        selection = ObjectSelection(ids=tuple(dict.fromkeys(ids or [])))
    wanted = not selection.empty
    source = (
        _owner_clean(current_owner, field="currentOwner", label="Current Owner")
        if current_owner is not None
        else None
    )
    if not wanted and source is None:
        message = f"Tick the {noun}s to change, or give their Current Owner."
        raise ValidationError(message, fields={"ids": message})

    if wanted:
        selected = selection_queryset(workspace=workspace, model=model, selection=selection)
        scope = model.objects.filter(workspace=workspace, pk__in=selected.values("pk"))
    else:
        scope = model.objects.filter(workspace=workspace, owner=source)
    # Lock without joins (the selection's directory filter stays in a subquery), then read the holders'
    # names (see objects._row_locked: EvalPlanQual).
    locked = list(scope.select_for_update().values_list("pk", flat=True))
    rows = list(
        model.objects.filter(pk__in=locked)
        .order_by("name")
        .values("pk", "name", "owner", "lock_holder_id", "lock_holder__username")
    )
    if wanted:
        missing = selection_missing(selection=selection, found={row["pk"] for row in rows})
        if missing:
            raise NotFound(
                f"{model.__name__} {missing[0]} does not exist in workspace {workspace.name}.",
                code=model.not_found_code,
            )
        if source is not None:
            rows = [row for row in rows if row["owner"] == source]

    to_change = [row for row in rows if row["owner"] != owner]
    held_by_others = [row for row in to_change if row["lock_holder_id"] not in (None, user.pk)]
    if held_by_others and not locks_overridable(workspace=workspace, user=user):
        described = [f"{row['name']} (locked by {row['lock_holder__username']})" for row in held_by_others]
        raise LockError(
            f"The owner cannot be changed: {len(held_by_others)} {noun}(s) are locked by someone else "
            f"under the hard lock policy: {_names(described)}. Nothing was changed."
        )
    changed = 0
    if to_change:
        changed = model.objects.filter(pk__in=[row["pk"] for row in to_change]).update(
            owner=owner,
            document=_JsonSetOwner(F("document"), Value(owner), nested=model is Job),
            revision=F("revision") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
    return OwnerChangeResult(changed=changed, skipped=len(rows) - len(to_change))
