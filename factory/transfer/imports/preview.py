"""Import, the preview in the background (``import_preview``): what the user's choices would do to the
workspace, object by object, before anything is written.

The plan is built as the apply builds it (the same outcomes, replacements, parameters and target
directory) but without locking a row; each batch of resources, scripts and jobs is checked as the apply
checks it, and each document the import would write is compared with the object's development state
(``changes``). One ``ImportChange`` row per object, written a batch at a time, so that memory is set by
a batch; the task row gets the summary (``result["changes"]``) and waits for the apply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import orjson
from django.contrib.auth.models import User
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from factory.connections.resources import resources_import_check
from factory.development.services import ImportEntry, jobs_import_check, scripts_import_check
from factory.errors import DomainError, ErrorCode
from factory.packages import Package, job_document_redact
from factory.transfer import lifecycle
from factory.transfer.imports.analysis import ReferencesCollector
from factory.transfer.imports.changes import (
    CHANGE_KINDS,
    NEW,
    Classified,
    Verbatim,
    carries_secret,
    classify,
    classify_same,
    counts_of,
    states_before,
    states_same,
)
from factory.transfer.imports.choices import SAVED, ImportChoices, import_secrets_unpack
from factory.transfer.imports.common import (
    CATEGORY_JOB,
    STEP_INSPECTED,
    STEP_PREVIEW,
    STEP_PREVIEWED,
    error_detail,
    inspected_sha256,
    package_load,
    task_claim,
    task_locked,
    task_user,
)
from factory.transfer.imports.index import Objects, index_load
from factory.transfer.imports.items import FAILED, OVERWRITTEN, SKIPPED, UNCHANGED, Item
from factory.transfer.imports.known import Known, states_known
from factory.transfer.imports.plan import Plan, plan_build
from factory.transfer.imports.write import existing_reload
from factory.transfer.models import ImportChange, SystemTask, TaskStatus
from factory.transfer.progress import ProgressPublisher, task_progress_clear
from factory.transfer.undo.record import entry_digest
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)
BATCH = 500
# Objects whose being known unchanged (``_known``) is asked in one query: ten batches.
KNOWN_BLOCK = 10 * BATCH
PREVIEW_PROGRESS_START = 50

Check = Callable[[Workspace, User, Sequence[ImportEntry[Any]]], list[Any]]
_CHECKS: dict[str, Check] = {
    "resource": lambda workspace, user, entries: resources_import_check(workspace=workspace, entries=entries),
    "script": lambda workspace, user, entries: scripts_import_check(
        workspace=workspace, user=user, entries=entries
    ),
    "job": lambda workspace, user, entries: jobs_import_check(
        workspace=workspace, user=user, entries=entries
    ),
}


def _shown(object_type: str, document: Any) -> Any:
    """A job document as the wizard may see it: secrets emptied."""
    if object_type != "job" or not isinstance(document, dict):
        return None
    return job_document_redact(document=document)


_COLUMNS = (
    "task_id",
    "order",
    "object_type",
    "name",
    "new_name",
    "change",
    "message",
    "counts",
    "diff",
    "before",
    "after",
)
_TYPES = (
    "bigint",
    "integer",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "text",
    "jsonb",
    "jsonb",
    "jsonb",
    "jsonb",
)


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson does not write (an integer beyond 64 bits): as Django would
        return json.dumps(value)


class _Rows:
    """The preview's rows, written a batch at a time, and its summary."""

    def __init__(self, task: SystemTask) -> None:
        self.task = task
        self.pending: list[tuple[Any, ...]] = []
        self.order = 0
        self.summary = dict.fromkeys(CHANGE_KINDS, 0)

    def add(
        self,
        item: Item,
        classified: Classified,
        *,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.order += 1
        self.summary[classified.change] += 1
        diff = classified.diff
        changed = diff is not None and diff.changed
        self.pending.append(
            (
                self.task.pk,
                self.order,
                item.type,
                item.name[:128],
                (item.new_name or "")[:128],
                classified.change,
                item.message if classified.change in (SKIPPED, FAILED) else classified.reason,
                counts_of(diff) if changed else {},
                diff.to_dict() if changed and diff is not None else None,
                # The DAG of a job is drawn from its documents: both when it changes, the new one when new.
                _shown(item.type, before) if changed else None,
                _shown(item.type, after) if changed or classified.change == NEW else None,
            )
        )
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if connection.vendor == "postgresql":
            self._copy(self.pending)
        else:
            ImportChange.objects.bulk_create(
                [ImportChange(**dict(zip(_COLUMNS, row, strict=True))) for row in self.pending]
            )
        self.pending = []

    @staticmethod
    def _copy(rows: list[tuple[Any, ...]]) -> None:
        """A binary COPY: Django's ``bulk_create`` builds a model and binds every value on the client,
        most of the time of a preview whose objects are unchanged (measured)."""
        table = connection.ops.quote_name(ImportChange._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"  # noqa: S608 - our own names
            ) as copy,
        ):
            copy.set_types(list(_TYPES))
            for row in rows:
                copy.write_row(
                    (
                        *row[:7],
                        *(None if value is None else Jsonb(value, dumps=_json_text) for value in row[7:]),
                    )
                )


@dataclass(frozen=True)
class Compared:
    """An object of the plan and what importing it would change."""

    item: Item
    classified: Classified
    before: dict[str, Any] | None = None
    after: Any = None


class Reading:
    """What the preview takes from each job and script as the package is read (``package_load(visit=
    reading.visit)``), so that no document is read again for it: the references the plan needs and, for
    the comparison in the database (``states_same``), each document's directory and whether it carries a
    secret value (then compared by ``classify``, with the job's stored secrets)."""

    def __init__(self, *, category: str) -> None:
        self.references = ReferencesCollector(category=category)
        self.seen: dict[tuple[str, str], tuple[Any, bool]] = {}

    def visit(self, kind: str, name: str, document: Any) -> None:
        if kind == "job" and not self.references.with_jobs:
            return
        self.references.add(kind, name, document)
        if isinstance(document, dict):
            self.seen[(kind, name)] = (document.get("directory"), carries_secret(kind, document))

    def kept(self, objects: Objects) -> None:
        """The same, from what the inspection kept of the same package (``index_load``)."""
        for key, (directory, secret, refs) in objects.items():
            self.references.add_kept(key, refs)
            self.seen[key] = (directory, secret)


def _verbatim(
    plan: Plan, items: list[Item], seen: dict[tuple[str, str], tuple[Any, bool]]
) -> list[tuple[Item, str]]:
    """The items to overwrite whose document to write is their entry's text with only a name and a
    directory set, with that directory. Not a document carrying a secret value: the stored document has it
    emptied (its value is kept encrypted), so ``classify`` compares it, secrets included."""
    return [
        (item, plan.directory(seen[item.key][0]))
        for item in items
        if item.key in seen
        and not seen[item.key][1]
        and item.outcome == OVERWRITTEN
        and item.existing is not None
        and item.source is not None
        and plan.verbatim(item)
    ]


def _known(plan: Plan, items: list[Item], seen: dict[tuple[str, str], tuple[Any, bool]]) -> dict[int, bool]:
    """Of ``items`` (one type), those to overwrite that an earlier import wrote from the same entry, into
    the same directory under the same name, and nobody changed since (``states_known``: a row each, a
    query per few thousand), by primary key, with whether their state is submitted."""
    todo = [item for item in items if item.outcome not in (SKIPPED, FAILED)]
    if not todo:
        return {}

    def rows() -> Iterator[Known]:
        for item, directory in _verbatim(plan, todo, seen):
            digest = entry_digest(item.source)
            if digest is not None:
                yield Known(item.existing.pk, digest, item.new_name or item.name, directory)

    return states_known(todo[0].type, rows())


def _states_same(object_type: str, chosen: list[tuple[Item, str]], known: dict[int, bool]) -> dict[int, bool]:
    """Of ``chosen`` (``_verbatim``), the objects whose development state already is the document the
    import would write, by primary key, with whether it is submitted: those ``known`` (``_known``), then
    the others compared in the database (``states_same``: each entry's text read as the rows are)."""
    same = {item.existing.pk: known[item.existing.pk] for item, _ in chosen if item.existing.pk in known}

    def rows() -> Iterator[Verbatim]:
        for item, directory in chosen:
            if item.existing.pk in same:
                continue
            text = item.source.text()
            if text is not None:
                yield Verbatim(item.existing.pk, text, item.new_name or item.name, directory)

    same.update(states_same(object_type, rows()))
    return same


def _compare_batch(
    plan: Plan,
    items: list[Item],
    *,
    workspace: Workspace,
    user: User,
    submit: bool,
    seen: dict[tuple[str, str], tuple[Any, bool]],
    known: dict[int, bool],
) -> Iterator[Compared]:
    """One batch of resources, scripts or jobs: checked as the apply checks them, then compared. An
    object whose development state already is the document the import would write (a package imported
    again) needs no check: that state was checked when it was written. Where that document is its
    entry's text with a name and a directory set (``Plan.verbatim``), PostgreSQL compares it with the
    state (``states_same``) and neither is parsed here; the others are read and compared by ``classify``."""
    todo = [item for item in items if item.outcome not in (SKIPPED, FAILED)]
    object_type = items[0].type
    chosen = _verbatim(plan, todo, seen)
    same = _states_same(object_type, chosen, known)
    kept = {id(item): item.existing.pk for item, _ in chosen if item.existing.pk in same}
    rest = [item for item in todo if id(item) not in kept]
    before = states_before(object_type, rest)
    documents: dict[int, Any] = {}
    to_check: list[Item] = []
    for item in rest:
        document = documents[id(item)] = plan.document(item)
        state = before.get(item.existing.pk) if item.existing is not None else None
        if item.outcome != OVERWRITTEN or state is None or state.document != document:
            to_check.append(item)
    if plan.light:  # what the checks read of an object to overwrite: its whole row (one query)
        existing_reload(to_check, workspace=workspace)
    entries = [
        ImportEntry(document=documents[id(item)], obj=item.existing if item.outcome == OVERWRITTEN else None)
        for item in to_check
    ]
    checks = _CHECKS[object_type](workspace, user, entries) if entries else []
    checked = {id(item): row for item, row in zip(to_check, checks, strict=True)}
    for item in items:
        if id(item) in kept:
            classified = classify_same(item, submitted=same[kept[id(item)]], submit=submit)
            if item.blocked and classified.change != UNCHANGED:
                item.fail(item.blocked)
                classified = Classified(FAILED)
            yield Compared(item, classified)
            continue
        if id(item) in checked:
            row = checked[id(item)]
            if isinstance(row, DomainError):
                item.fail(f"{item.type.capitalize()} {item.name}: {row.message}")
            after = getattr(row, "document", None)
        else:
            after = documents.get(id(item))
        state = before.get(item.existing.pk) if item.existing is not None else None
        classified = classify(item, after, state, submit=submit)
        if item.blocked and classified.change != UNCHANGED:  # e.g. a scheduled job that would be written
            item.fail(item.blocked)
            classified = Classified(FAILED)
        yield Compared(item, classified, before=state.document if state else None, after=after)


def changes_compare(
    plan: Plan,
    *,
    workspace: Workspace,
    user: User,
    choices: ImportChoices,
    progress: Callable[[int], None] | None = None,
    seen: dict[tuple[str, str], tuple[Any, bool]] | None = None,
) -> Iterator[Compared]:
    """Every object of ``plan`` with what importing it would change, in the order the import writes
    them, a batch at a time (what is yielded is dropped by the plan once the batch is done). ``seen``:
    what ``Reading`` took from the documents as the package was read (without it, every object is
    compared here)."""
    submit = choices.target_status != SAVED
    seen = seen or {}
    done = 0
    known: dict[int, bool] = {}
    for object_type, group in groupby(plan.items, key=lambda item: item.type):
        typed = list(group)
        for start in range(0, len(typed), BATCH):
            batch = typed[start : start + BATCH]
            if start % KNOWN_BLOCK == 0:  # the known ones of the next few batches: one query for them
                known = _known(plan, typed[start : start + KNOWN_BLOCK], seen)
            if object_type in _CHECKS:
                yield from _compare_batch(
                    plan, batch, workspace=workspace, user=user, submit=submit, seen=seen, known=known
                )
            else:  # data connections and environment variables: created or kept, never compared
                for item in batch:
                    yield Compared(item, classify(item, None, None, submit=submit))
            for item in batch:
                item.source = item.existing = None
            done += len(batch)
            if progress is not None:
                progress(done)


def preview_write(
    *,
    task: SystemTask,
    package: Package,
    choices: ImportChoices,
    publisher: ProgressPublisher | None,
    reading: Reading | None = None,
) -> dict[str, int]:
    """Every object's change as ``ImportChange`` rows of ``task`` (those of an earlier preview replaced);
    returns the summary by change kind. ``reading``: what was taken from the documents as the package
    was read (``Reading``); without it they are read here."""
    workspace, user = task.workspace, task_user(task)
    plan = plan_build(
        package=package,
        category=task.params.get("category") or CATEGORY_JOB,
        workspace=workspace,
        user=user,
        choices=choices,
        lock=False,
        light=True,  # the rows of those checked are read whole a batch at a time (_compare_batch)
        uses=reading.references.uses if reading is not None else None,
    )
    ImportChange.objects.filter(task=task).delete()
    rows = _Rows(task)
    total = len(plan.items)
    if publisher is not None:
        publisher.stage(f"Comparing {total} object(s) with the workspace...", total=total)

    def progress(done: int) -> None:
        if publisher is not None:
            publisher.stage(f"Compared {done} of {total} object(s)...", done=done)

    seen = reading.seen if reading is not None else None
    for compared in changes_compare(
        plan, workspace=workspace, user=user, choices=choices, progress=progress, seen=seen
    ):
        rows.add(compared.item, compared.classified, before=compared.before, after=compared.after)
    rows.flush()
    return rows.summary


def preview_message(summary: dict[str, int]) -> str:
    parts = [f"{summary[kind]} {kind}" for kind in CHANGE_KINDS if summary.get(kind)]
    return f"Importing would write: {', '.join(parts) or 'nothing'}."


def import_preview(*, task_id: int) -> None:
    """The preview in the background; the task then waits for the apply (or another preview)."""
    task = task_claim(task_id=task_id, step=STEP_PREVIEW, with_result=False)
    if task is None:
        return
    source = task.params.get("source") or {}
    publisher = ProgressPublisher(
        public_id=task.public_id, step=STEP_PREVIEW, start=PREVIEW_PROGRESS_START, end=100
    )
    publisher.stage("Reading the package...")
    # What the plan and the comparison need: what the inspection kept of this package, or else taken
    # from each document as the package is read.
    category = task.params.get("category") or CATEGORY_JOB
    reading = Reading(category=category)
    try:
        sha256 = inspected_sha256(task_id)
        kept = index_load(task_id=task_id, sha256=sha256, category=category)
        if kept is not None:
            reading.kept(kept[1])
        package, _, _ = package_load(
            source=source,
            workspace=task.workspace,
            expected_sha256=sha256,
            visit=reading.visit if kept is None else None,
            index=kept[0] if kept is not None else None,
            # Its zip opened only if an object is not known unchanged (read, or compared in the database).
            lazy=True,
        )
        del kept
        with package, transaction.atomic():
            row = task_locked(task_id, with_result=False)
            if row is None or row.step != STEP_PREVIEW or row.status != TaskStatus.RUNNING:
                return
            values = import_secrets_unpack(ciphertext=row.secrets_encrypted)
            choices = ImportChoices.from_params(row.params["choices"], values=values)
            summary = preview_write(
                task=row, package=package, choices=choices, publisher=publisher, reading=reading
            )
            lifecycle.task_result_merge(
                row, {"changes": {"summary": summary, "choices": choices.to_params()}}
            )
            row.status = TaskStatus.WAITING
            row.step = STEP_PREVIEWED
            row.progress = PREVIEW_PROGRESS_START
            row.message = preview_message(summary)
            row.save(update_fields=["status", "step", "progress", "message", "updated_at"])
    except Exception as exc:
        message, code, detail = error_detail(exc)
        if code == ErrorCode.INTERNAL_ERROR:
            logger.exception("Import %s: previewing the changes failed.", task.public_id)
        _back_to_waiting(task_id, message=f"The changes could not be previewed: {message}", code=code)
    finally:
        task_progress_clear(public_id=task.public_id)


def _back_to_waiting(task_id: int, *, message: str, code: str) -> None:
    """A preview that failed leaves the import waiting for its choices, saying why (nothing was written)."""
    with transaction.atomic():
        row = task_locked(task_id, with_result=False)
        if row is None or row.step != STEP_PREVIEW or row.status != TaskStatus.RUNNING:
            return
        lifecycle.task_result_merge(row, {"changes": {"error": {"message": message, "code": code}}})
        row.status = TaskStatus.WAITING
        row.step = STEP_INSPECTED
        row.message = message
        row.save(update_fields=["status", "step", "message", "updated_at"])
