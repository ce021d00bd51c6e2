"""Import, step 3: apply the user's choices to the workspace in one database transaction.

Order: data connections the user chose to create, environment variables, resources, scripts, then jobs
with called sub-jobs before their callers. References are rewritten by the remap (the user's replacements
and the new names of renamed objects). Every job and script written gets its development state
overwritten, a new version "Imported from <file>" (submitted unless the user chose saved) and the
importing user's lock.

Resources, scripts and jobs are written in batches through the development services' bulk path: each
batch's documents are read from the package, checked (an invalid one fails alone, naming why), and what
passed is written with a constant number of queries, whatever the batch holds. References are by name,
so a batch never waits for another to exist; the order still puts what an object depends on first.

Failures are collected before anything is written (hard locks of other users, scheduled jobs, missing
references, objects that depend on a failed one) and as each batch is checked (invalid documents, and
what depends on them). Unless ``continueOnError``, any failure rolls the whole transaction back and the
report, written afterwards in its own transaction, says why object by object. With ``continueOnError`` the
others are imported; a batch whose write fails unexpectedly is undone alone (the bulk writes run in their
own atomic block) and its objects are reported failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from factory.connections.environment import environment_variable_create
from factory.connections.resources import resources_import_check, resources_import_save
from factory.connections.services import connection_create
from factory.development.models import JobVersion, ScriptVersion, VersionKind
from factory.development.nodes import JOB, SCRIPT
from factory.development.services import (
    ImportEntry,
    jobs_import_check,
    jobs_import_save,
    scripts_import_check,
    scripts_import_save,
)
from factory.errors import DomainError
from factory.packages.secrets import secret_name_like
from factory.transfer.imports.analysis import existing_load
from factory.transfer.imports.changes import classify, states_before
from factory.transfer.imports.choices import (
    SAVED,
    ImportChoices,
)
from factory.transfer.imports.items import FAILED, OVERWRITTEN, SKIPPED, UNCHANGED, Item, RolledBack
from factory.transfer.imports.overrides import is_variable_override, locks_release, variable_write
from factory.transfer.imports.plan import Plan
from factory.transfer.progress import ProgressPublisher
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)
# Called with an object type and the items of a batch about to be saved (see ``plan_execute``).
BeforeSave = Callable[[str, list[Item]], None]
# The inspection took the task to 50 %; the apply takes it from there to 100 % as objects are written.
APPLY_PROGRESS_START = 50
# Objects per batch of resources, scripts or jobs: a tenth of the kind, within these bounds. Each batch is
# a constant number of queries, only its documents are in memory at a time, and the live progress moves
# batch by batch: in ten steps or more.
BATCH_MIN, BATCH_MAX = 100, 500

# --- writing -----------------------------------------------------------------------------------------


def _write_one(
    item: Item,
    document: Any,
    *,
    workspace: Workspace,
    user: User,
    secrets: dict[str, dict[str, str]],
) -> None:
    """A data connection or an environment variable: few per package, written one by one."""
    doc = document or {}
    if item.type == "connection":
        # Empty values under secret-looking keys (packages written before secret keys were dropped, or
        # by DataArts) are refused by the connection services, which take secrets apart: dropped here.
        config = {
            k: v
            for k, v in (doc.get("config") or {}).items()
            if not (v in (None, "") and secret_name_like(str(k)))
        }
        connection_create(
            workspace=workspace,
            user=user,
            name=item.name,
            type=str(doc.get("type") or ""),
            config=config,
            secrets=dict[str, str | None](secrets.get(item.name) or {}),
            description=str(doc.get("description") or ""),
        )
        item.detail["secretFields"] = sorted(secrets.get(item.name) or {})
    elif item.type == "environment_variable":
        environment_variable_create(
            workspace=workspace,
            name=item.name,
            value=str(doc.get("value") or ""),
            description=str(doc.get("description") or ""),
        )
    item.done()


def versions_note(items: list[Item], *, since: datetime, kind: str) -> None:
    """The new version of every job and script written that does not know it yet: one query per kind."""
    for object_type, model, fk in (("job", JobVersion, "job_id"), ("script", ScriptVersion, "script_id")):
        ids = {
            i.detail["id"]: i
            for i in items
            if i.type == object_type and "id" in i.detail and "versionId" not in i.detail
        }
        if not ids:
            continue
        rows = (
            model.objects.filter(**{f"{fk}__in": list(ids)}, kind=kind, created_at__gte=since)
            .order_by(fk, "-number")
            .values_list(fk, "pk", "number")
        )
        for owner, pk, number in rows:
            ids[owner].version_noted(pk=pk, number=number)


class _Run:
    """One execution of a plan: the context every write needs, the failures so far, the progress."""

    def __init__(
        self,
        plan: Plan,
        *,
        workspace: Workspace,
        user: User,
        choices: ImportChoices,
        secrets: dict[str, dict[str, str]],
        description: str,
        publisher: ProgressPublisher | None,
        finished: Callable[[Item], None] | None,
        before_save: BeforeSave | None,
    ) -> None:
        self.plan, self.workspace, self.user, self.choices = plan, workspace, user, choices
        self.secrets, self.description, self.publisher = secrets, description, publisher
        self.finished, self.before_save = finished, before_save
        self.submit = choices.target_status != SAVED
        self.failed = {i.key for i in plan.items if i.outcome == FAILED}

    def running(self, item: Item) -> None:
        if self.publisher is not None:
            self.publisher.object_running(type=item.type, name=item.name)

    def done(self, item: Item) -> None:
        """Publish ``item``'s outcome; a failure stops the import here unless ``continueOnError``."""
        if self.publisher is not None:
            self.publisher.object_done(
                type=item.type, name=item.name, outcome=item.outcome, message=item.message
            )
        if self.finished is not None:
            self.finished(item)
        if item.outcome == FAILED:
            self.failed.add(item.key)
            if not self.choices.continue_on_error:
                raise RolledBack(self.plan.items)

    def dependency_failed(self, item: Item) -> bool:
        """Fail ``item`` when an object it depends on was not imported."""
        dependency = next((d for d in sorted(item.depends_on) if d in self.failed), None)
        if dependency is None:
            return False
        item.fail(
            f"{item.type.capitalize()} {item.name} uses {dependency[0]} {dependency[1]}, which was not imported."
        )
        self.failed.add(item.key)
        return True

    def one(self, item: Item) -> None:
        if item.outcome not in (FAILED, SKIPPED, UNCHANGED) and not self.dependency_failed(item):
            self.running(item)
            try:
                if is_variable_override(item):
                    if item.outcome == OVERWRITTEN and self.before_save is not None:
                        self.before_save(item.type, [item])  # the undo keeps the value it had
                    variable_write(item, workspace=self.workspace)
                    item.done()
                else:
                    _write_one(
                        item,
                        self.plan.document(item),
                        workspace=self.workspace,
                        user=self.user,
                        secrets=self.secrets,
                    )
            except DomainError as exc:
                item.fail(f"{item.type.capitalize()} {item.name}: {exc.message}")
        self.done(item)

    def batch(self, items: list[Item]) -> None:
        """Resources, scripts or jobs (one type): checked, then written in bulk. Each document is read from
        the package here, once, and dropped with the batch."""
        todo: list[Item] = []
        for item in items:
            if item.outcome not in (FAILED, SKIPPED) and not self.dependency_failed(item):
                todo.append(item)
        if self.plan.light:
            existing_reload(todo, workspace=self.workspace)
        entries = []
        for item in todo:
            self.running(item)
            existing = item.existing if item.outcome == OVERWRITTEN else None
            entries.append(ImportEntry(document=self.plan.document(item), obj=existing))
        checks = _CHECKS[items[0].type](self, entries)
        for item, checked in zip(todo, checks, strict=True):
            if isinstance(checked, DomainError):
                item.fail(f"{item.type.capitalize()} {item.name}: {checked.message}")
                self.failed.add(item.key)
                if not self.choices.continue_on_error:
                    self._finish(items)  # publishes up to the failure, then rolls back
        if self.choices.skip_unchanged:
            self._unchanged(todo, checks)
        for item in todo:  # blocked unless unchanged (a scheduled job), and it is not
            if item.blocked and item.outcome == OVERWRITTEN:
                item.fail(item.blocked)
                self.failed.add(item.key)
                if not self.choices.continue_on_error:
                    self._finish(items)  # publishes up to the failure, then rolls back
        # What depends on an object of this very batch that failed its checks.
        changed = True
        while changed:
            changed = False
            for item in todo:
                if item.outcome != FAILED and self.dependency_failed(item):
                    changed = True
        kept = [
            (item, c) for item, c in zip(todo, checks, strict=True) if item.outcome not in (FAILED, UNCHANGED)
        ]
        if kept:
            if self.before_save is not None:
                self.before_save(items[0].type, [item for item, _ in kept])
            save = _SAVES[items[0].type]
            try:
                written = save(self, [c for _, c in kept])
            except DomainError as exc:
                if not self.choices.continue_on_error or len(kept) == 1:
                    for item, _ in kept:
                        item.fail(f"{item.type.capitalize()} {item.name}: {exc.message}")
                else:
                    # A name taken meanwhile by someone else: one at a time, so only that object fails.
                    for item, checked in kept:
                        self._save_alone(save, item, checked)
            else:
                for (item, _), result in zip(kept, written, strict=True):
                    item.written(result)
            if self.choices.release_locks:
                locks_release([item for item, _ in kept], user=self.user)
        self._finish(items)

    def _unchanged(self, items: list[Item], checks: list[Any]) -> None:
        """Note the overwritten items that already are what would be written: they are not written."""
        checked = [(i, c) for i, c in zip(items, checks, strict=True) if not isinstance(c, DomainError)]
        if not checked:
            return
        before = states_before(checked[0][0].type, [item for item, _ in checked])
        for item, row in checked:
            if item.outcome != OVERWRITTEN or item.existing is None:
                continue
            after = getattr(row, "document", None)
            if classify(item, after, before.get(item.existing.pk), submit=self.submit).change == UNCHANGED:
                item.outcome = UNCHANGED
                item.message = (
                    f"{item.type.capitalize()} {item.name} is already as the package has it: not written."
                )

    def _save_alone(self, save: Any, item: Item, checked: Any) -> None:
        try:
            with transaction.atomic():
                (result,) = save(self, [checked])
        except DomainError as exc:
            item.fail(f"{item.type.capitalize()} {item.name}: {exc.message}")
        else:
            item.written(result)

    def _finish(self, items: list[Item]) -> None:
        for item in items:
            self.done(item)


def existing_reload(items: list[Item], *, workspace: Workspace) -> None:
    """Give the overwritten jobs or scripts of ``items`` (one type) their whole rows (but their documents,
    as ``existing_load`` reads them), for a plan whose rows hold only what it decided by (``Plan.light``).
    The apply's plan locked these rows: they are as it read them. One query (two with lock holders)."""
    overwritten = [i for i in items if i.outcome == OVERWRITTEN and i.type in (JOB, SCRIPT) and i.existing]
    if not overwritten:
        return
    kind = overwritten[0].type
    existing = existing_load(workspace=workspace, names={kind: {item.name for item in overwritten}})
    rows: dict[str, Any] = existing.jobs if kind == JOB else existing.scripts
    for item in overwritten:
        item.existing = rows.get(item.name, item.existing)


def _resources_check(run: _Run, entries: list[ImportEntry[Any]]) -> list[Any]:
    return resources_import_check(workspace=run.workspace, entries=entries)


def _resources_save(run: _Run, rows: list[Any]) -> list[Any]:
    return resources_import_save(workspace=run.workspace, user=run.user, rows=rows)


def _scripts_check(run: _Run, entries: list[ImportEntry[Any]]) -> list[Any]:
    return scripts_import_check(workspace=run.workspace, user=run.user, entries=entries)


def _scripts_save(run: _Run, rows: list[Any]) -> list[Any]:
    return scripts_import_save(
        workspace=run.workspace,
        user=run.user,
        rows=rows,
        version_description=run.description,
        submit=run.submit,
    )


def _jobs_check(run: _Run, entries: list[ImportEntry[Any]]) -> list[Any]:
    return jobs_import_check(workspace=run.workspace, user=run.user, entries=entries)


def _jobs_save(run: _Run, rows: list[Any]) -> list[Any]:
    return jobs_import_save(
        workspace=run.workspace,
        user=run.user,
        rows=rows,
        version_description=run.description,
        submit=run.submit,
    )


_CHECKS = {"resource": _resources_check, "script": _scripts_check, "job": _jobs_check}
_SAVES = {"resource": _resources_save, "script": _scripts_save, "job": _jobs_save}


def plan_execute(
    plan: Plan,
    *,
    workspace: Workspace,
    user: User,
    choices: ImportChoices,
    secrets: dict[str, dict[str, str]],
    file_name: str,
    publisher: ProgressPublisher | None = None,
    finished: Callable[[Item], None] | None = None,
    before_save: BeforeSave | None = None,
) -> list[Item]:
    """Write the plan; raise RolledBack (inside the caller's transaction) when it must be undone.

    In the plan's order: connections and environment variables one by one, then resources, scripts and
    jobs in batches (``BATCH_MIN`` to ``BATCH_MAX`` objects), a constant number of queries each.
    ``publisher`` hears of every object as its batch is read and written, for the wizard's live progress:
    the rows written here are invisible to it until the commit. ``finished`` is called with every item
    once its outcome is final, in the plan's order (the apply records it as a subtask then); the new
    versions of the items it has not been called with yet are noted at the end. ``before_save`` is called
    with the type and the items of each batch of resources, scripts or jobs just before they are saved
    (in the transaction; an overwritten item's ``existing`` is its row as it is before the write)."""
    items = plan.items
    if any(i.outcome == FAILED for i in items) and not choices.continue_on_error:
        raise RolledBack(items)
    since = timezone.now()
    run = _Run(
        plan,
        workspace=workspace,
        user=user,
        choices=choices,
        secrets=secrets,
        description=f"Imported from {file_name}"[:128],
        publisher=publisher,
        finished=finished,
        before_save=before_save,
    )
    if publisher is not None:
        publisher.stage(f"Importing {len(items)} object(s)...", total=len(items))
    for object_type, group in groupby(items, key=lambda i: i.type):
        if object_type in _CHECKS:
            typed = list(group)
            size = min(BATCH_MAX, max(BATCH_MIN, len(typed) // 10))
            for start in range(0, len(typed), size):
                run.batch(typed[start : start + size])
        else:
            for item in group:
                run.one(item)
    if finished is None:
        versions_note(items, since=since, kind=version_kind(choices))
    return items


def version_kind(choices: ImportChoices) -> str:
    """The kind of the versions an import writes."""
    return VersionKind.SAVED if choices.target_status == SAVED else VersionKind.SUBMITTED


# --- the report and the task -------------------------------------------------------------------------
