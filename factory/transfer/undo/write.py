"""Undo, the writes: objects given back their recorded state, made again, or deleted, a batch at a time in
a constant number of queries per batch; and what each write was, recorded for the undo itself.

A restored job or script gets its recorded development state back as it was stored (the document, its
secrets' ciphertext, directory, owner, lock holder and time, schedule) with a new revision, and a new
version "Restored by undoing import <id>": a submitted one with the submitted document as it was, when
the latest submitted version is no longer the one it had (an import submits), so that what was submitted
before is submitted again; a saved one with the development document otherwise (or as well, when the
development state was not the submitted one). A job or script deleted by an undo is made again the same
way, under its own id. Users deleted since are left out of a lock or an author.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from factory.development.models import MAX_SUBMITTED_VERSIONS, Directory, VersionKind
from factory.development.services import directories_ensure, rows_update
from factory.development.services.jobs import JOB as JOB_KIND
from factory.development.services.objects import objects_rows_delete
from factory.development.services.scripts import SCRIPT as SCRIPT_KIND
from factory.transfer.models import JobExportEntry, ScriptExportEntry, SystemTask, UndoRecord
from factory.transfer.undo.decide import RECREATE, RESTORE, Decision
from factory.transfer.undo.record import CREATE, DELETE, OVERWRITE, record_of, records_write
from factory.transfer.undo.states import (
    DIRECTORY,
    JOB,
    LOCKED,
    SCRIPT,
    SPECS,
    chunks,
    stamp,
    version_key,
)
from factory.workspaces.models import Workspace

_USERS = ("lock_holder_id", "updated_by_id", "created_by_id")
# Columns never written back: the row's birth stays, the secret is its own column.
_KEPT = {"created_at", "created_by_id"}
_EXPORT_ENTRIES: dict[str, type[models.Model]] = {JOB: JobExportEntry, SCRIPT: ScriptExportEntry}


def description_of(target: SystemTask) -> str:
    what = "import" if target.kind == "import" else "the undo"
    return f"Restored by undoing {what} {target.public_id}"[:128]


def _submitted(state: dict[str, Any]) -> bool:
    return state.get("submitted_revision") is not None and state["submitted_revision"] == state["revision"]


class Writer:
    """The writes of one undo (``task``) of ``target``, in ``workspace``, by ``user``."""

    def __init__(self, *, task: SystemTask, target: SystemTask, workspace: Workspace, user: User) -> None:
        self.task, self.target, self.workspace, self.user = task, target, workspace, user
        self.description = description_of(target)

    # --- restore and re-create ---------------------------------------------------------------------

    def _row(
        self, object_type: str, decision: Decision, *, directories: dict[str, Directory], users: set[int]
    ) -> Any:
        """The object as it is to be written: its recorded state, a new revision (a job or script)."""
        spec = SPECS[object_type]
        record = decision.record
        before = cast(dict[str, Any], record.before)
        fields = {f.attname: f for f in spec.model._meta.concrete_fields}
        values = {f: fields[f].to_python(before[f]) for f in spec.fields if f in before}
        for attname in _USERS:  # users deleted since are left out
            if attname in values and values[attname] not in users:
                values[attname] = None
        row: Any = spec.model(pk=record.object_id, workspace_id=self.workspace.pk, **values)
        if spec.secret is not None:
            setattr(row, spec.secret, record.secrets_encrypted)
        if spec.category is not None:
            directory = directories.get(before.get("directoryPath") or "/")
            row.directory_id = directory.pk if directory is not None else None
        if object_type in LOCKED:
            current = decision.current["revision"] if decision.current else before["revision"]
            row.revision = max(current, before["revision"]) + 1
            row.submitted_revision = row.revision if _submitted(before) else before.get("submitted_revision")
            row.updated_by_id = self.user.pk
        row.updated_at = timezone.now()
        return row

    def put_back(self, object_type: str, decisions: Sequence[Decision]) -> dict[int, dict[str, Any]]:
        """Restore or re-create the batch's objects (RESTORE / RECREATE decisions) and record what it did;
        per record id, what the report says of it (``id``, ``versionId``, ``version``)."""
        todo = [d for d in decisions if d.action in (RESTORE, RECREATE)]
        if not todo:
            return {}
        spec = SPECS[object_type]
        directories: dict[str, Directory] = {}
        if spec.category is not None:
            paths = {(d.record.before or {}).get("directoryPath") or "/" for d in todo}
            directories = directories_ensure(
                workspace=self.workspace, category=spec.category, paths=[p for p in paths if p != "/"]
            )
        wanted = {(d.record.before or {}).get(a) for d in todo for a in _USERS}
        users = set(
            User.objects.filter(pk__in=[u for u in wanted if u is not None]).values_list("pk", flat=True)
        )
        users.add(self.user.pk)
        rows = [self._row(object_type, d, directories=directories, users=users) for d in todo]
        restored = [r for r, d in zip(rows, todo, strict=True) if d.action == RESTORE]
        created = [r for r, d in zip(rows, todo, strict=True) if d.action == RECREATE]
        fields = [f for f in spec.fields if f not in _KEPT] + ([spec.secret] if spec.secret else [])
        rows_update(spec.model, restored, fields)
        spec.model._default_manager.bulk_create(created, batch_size=500)
        done: dict[int, dict[str, Any]] = {d.record.pk: {"id": r.pk} for r, d in zip(rows, todo, strict=True)}
        if object_type in LOCKED:
            for record_pk, version in self._versions(object_type, todo, rows).items():
                done[record_pk].update(versionId=version.pk, version=version.number)
        records = []
        for row, decision in zip(rows, todo, strict=True):
            state = {f: getattr(row, f) for f in spec.fields}
            state["directoryPath"] = (decision.record.before or {}).get("directoryPath") or "/"
            after = stamp(object_type, state)
            # The content given back is the one the recorded state had: what undoing older tasks compares.
            after["sameAs"] = version_key(object_type, stamp(object_type, decision.record.before or {}))
            if "versionId" in done[decision.record.pk]:
                after.update(versionId=done[decision.record.pk]["versionId"])
            if decision.action == RESTORE:
                before = decision.current
                action = OVERWRITE
            else:
                before, action = None, CREATE
            records.append(
                record_of(
                    self.task,
                    object_type,
                    pk=row.pk,
                    name=row.name,
                    action=action,
                    before=before,
                    after=after,
                )
            )
        records_write(records)
        return done

    def _versions(self, object_type: str, todo: Sequence[Decision], rows: Sequence[Any]) -> dict[int, Any]:
        """One or two new versions per object (see the module); per record id, the last one written."""
        spec = SPECS[object_type]
        versions_model = cast(type[models.Model], spec.versions)
        manager = versions_model._default_manager
        fk = spec.fk
        pks = [r.pk for r in rows]
        last: dict[tuple[int, str], int] = {
            (owner, kind): number
            for owner, kind, number in manager.filter(**{f"{fk}__in": pks})
            .values(fk, "kind")
            .annotate(last=Max("number"))
            .values_list(fk, "kind", "last")
        }
        latest = {owner: n for (owner, kind), n in last.items() if kind == VersionKind.SUBMITTED}
        # The submitted documents of objects whose development state was not the submitted one.
        befores: list[dict[str, Any]] = [cast(dict[str, Any], d.record.before) for d in todo]
        wanted = [
            (r.pk, b["submittedVersion"])
            for r, b in zip(rows, befores, strict=True)
            if b.get("submittedVersion") is not None
            and not _submitted(b)
            and "submittedDocument" not in b
            and latest.get(r.pk) != b["submittedVersion"]
        ]
        documents: dict[tuple[int, int], Any] = {}
        if wanted:
            documents = {
                (owner, number): document
                for owner, number, document in manager.filter(
                    **{f"{fk}__in": [pk for pk, _ in wanted]},
                    kind=VersionKind.SUBMITTED,
                    number__in={n for _, n in wanted},
                ).values_list(fk, "number", "document")
            }
        made: list[Any] = []
        last_of: dict[int, Any] = {}
        for row, decision, before in zip(rows, todo, befores, strict=True):
            recorded = before.get("submittedVersion")
            submitted_again = False
            if recorded is not None and latest.get(row.pk) != recorded:
                if _submitted(before):
                    document = before["document"]
                else:
                    document = before.get("submittedDocument", documents.get((row.pk, recorded)))
                if document is not None:
                    number = max(last.get((row.pk, VersionKind.SUBMITTED), 0), recorded) + 1
                    made.append(
                        self._version(versions_model, fk, row, VersionKind.SUBMITTED, number, document)
                    )
                    submitted_again = _submitted(before)
            if not submitted_again:
                number = last.get((row.pk, VersionKind.SAVED), 0) + 1
                made.append(
                    self._version(versions_model, fk, row, VersionKind.SAVED, number, before["document"])
                )
            last_of[decision.record.pk] = made[-1]
        manager.bulk_create(made, batch_size=500)
        full = {getattr(v, f"{fk}_id") for v in made if v.number > MAX_SUBMITTED_VERSIONS}
        for kind in (VersionKind.SUBMITTED, VersionKind.SAVED):
            newest = manager.filter(**{fk: OuterRef(fk)}, kind=kind).order_by("-number").values("number")[:1]
            for part in chunks(sorted(full)):
                manager.filter(
                    **{f"{fk}__in": part}, kind=kind, number__lte=Subquery(newest) - MAX_SUBMITTED_VERSIONS
                ).delete()
        return last_of

    def _version(
        self, model: type[models.Model], fk: str, row: Any, kind: str, number: int, document: Any
    ) -> Any:
        return model(
            **{f"{fk}": row.pk},
            kind=kind,
            number=number,
            document=document,
            description=self.description,
            created_by=self.user,
        )

    # --- delete ------------------------------------------------------------------------------------

    def delete(self, object_type: str, states: dict[int, dict[str, Any]]) -> None:
        """Delete the objects ``states`` holds (their states read, row-locked) and record them whole."""
        if not states:
            return
        spec = SPECS[object_type]
        pks = sorted(states)
        if object_type in LOCKED:
            self._submitted_documents(object_type, states)
            _EXPORT_ENTRIES[object_type]._default_manager.filter(**{f"{spec.fk}__in": pks}).delete()
            if object_type == JOB:
                objects_rows_delete(JOB_KIND, pks=pks)
            else:
                objects_rows_delete(SCRIPT_KIND, pks=pks)
        else:
            spec.model._default_manager.filter(pk__in=pks).delete()
        records_write(
            [
                record_of(self.task, object_type, pk=pk, name=state["name"], action=DELETE, before=state)
                for pk, state in states.items()
            ]
        )

    @staticmethod
    def _submitted_documents(object_type: str, states: dict[int, dict[str, Any]]) -> None:
        """Keep in the state the submitted document of an object whose development state is another: its
        versions go with it (one query)."""
        spec = SPECS[object_type]
        wanted = {
            pk: s["submittedVersion"]
            for pk, s in states.items()
            if s.get("submittedVersion") is not None and not _submitted(s)
        }
        if not wanted:
            return
        rows = cast(type[models.Model], spec.versions)._default_manager.filter(
            **{f"{spec.fk}__in": list(wanted)}, kind=VersionKind.SUBMITTED, number__in=set(wanted.values())
        )
        for owner, number, document in rows.values_list(spec.fk, "number", "document"):
            if wanted.get(owner) == number:
                states[owner]["submittedDocument"] = document

    # --- directories -------------------------------------------------------------------------------

    def directories_delete(self, rows: list[tuple[int, str, str, int]]) -> None:
        """Delete directories (id, category, path, depth), the deepest first, and record them."""
        for depth in sorted({r[3] for r in rows}, reverse=True):
            Directory.objects.filter(pk__in=[r[0] for r in rows if r[3] == depth]).delete()
        records_write(
            [
                record_of(
                    self.task,
                    DIRECTORY,
                    pk=pk,
                    name=path,
                    action=DELETE,
                    before={"category": category, "path": path},
                )
                for pk, category, path, _ in rows
            ]
        )

    def directories_remake(self, records: list[UndoRecord]) -> None:
        """Make again the directories a (deleting) undo deleted; recorded as the run's new directories."""
        by_category: dict[str, list[str]] = {}
        for record in records:
            before = record.before or {}
            by_category.setdefault(str(before.get("category")), []).append(str(before.get("path")))
        for category, paths in by_category.items():
            directories_ensure(workspace=self.workspace, category=category, paths=paths)
