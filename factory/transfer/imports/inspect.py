"""Import, step 1: what a package holds and what it would do to the target workspace.

``package_inspect`` is a read (one query per kind of object, whatever the package holds); the apply step
runs the same analysis again on the live database, so that an inspection that went stale meanwhile is
re-checked rather than trusted. ``import_inspect`` is the service the ``import_inspect`` Celery task calls.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from psycopg.types.json import Jsonb

from factory.connections.models import DataConnection, ExternalObject
from factory.development.models import EnvironmentVariable, Job, Resource, ScheduleStatus, Script
from factory.development.nodes import (
    BUILTIN_OBJECTS,
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    EXTERNAL_KINDS,
    JOB,
    RESOURCE,
    SCRIPT,
    UNRESOLVABLE_KINDS,
    job_unknown_nodes,
)
from factory.errors import ErrorCode
from factory.packages import Package, PackageConnection, PackageJob, PackageScript
from factory.packages.redact import flag_true
from factory.packages.secrets import secret_name_like
from factory.transfer.imports.analysis import (
    DEFAULT_SECRET_FIELDS,
    KIND_LABELS,
    MAX_CANDIDATES,
    REQUIRED_KINDS,
    Contents,
    Existing,
    Use,
    blocked_reason,
    existing_load,
    missing_references,
    names_needed,
    references_gather,
)
from factory.transfer.imports.common import (
    CATEGORY_JOB,
    STEP_INSPECT,
    STEP_INSPECTED,
    error_detail,
    package_load,
    source_label,
    task_claim,
    task_fail,
    task_locked,
    task_user,
)
from factory.transfer.imports.index import IndexWriter, index_store
from factory.transfer.models import SystemTask, TaskStatus
from factory.transfer.progress import ProgressPublisher, task_progress_clear
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)
# An inspected import is half way: the apply takes it on from here.
INSPECTED_PROGRESS = 50
# The workspace's jobs and scripts of the package's names are read this many at a time (model objects).
STATE_CHUNK = 2000
State = tuple[str | None, bool, str | None]
"""What the wizard shows of an existing job or script: lock holder, scheduled, why an overwrite fails."""

# --- the inspection ----------------------------------------------------------------------------------


def _holder(obj: Job | Script | None) -> str | None:
    return obj.lock_holder.get_username() if obj is not None and obj.lock_holder is not None else None


def _connection_definition(conn: PackageConnection) -> dict[str, Any]:
    doc = conn.document
    fields = doc.get("secretFields") or doc.get("secret_fields")
    secret_fields = [str(f) for f in fields] if isinstance(fields, list) else list(DEFAULT_SECRET_FIELDS)
    return {"name": conn.name, "type": str(doc.get("type") or ""), "secretFields": secret_fields}


def _candidates(
    *, workspace: Workspace, groups: set[tuple[str, str | None]]
) -> dict[tuple[str, str | None], tuple[list[str], bool]]:
    """Names of existing objects of each missing group's type: one query per kind."""
    kinds = {kind for kind, _ in groups}
    found: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    if CONNECTION in kinds:
        for name, type_ in DataConnection.objects.filter(workspace=workspace).values_list("name", "type"):
            found[(CONNECTION, type_)].append(name)
            found[(CONNECTION, None)].append(name)
    if kinds & set(EXTERNAL_KINDS):
        for kind, name in ExternalObject.objects.filter(workspace=workspace, kind__in=kinds).values_list(
            "kind", "name"
        ):
            found[(kind, None)].append(name)
    models: dict[str, type[Job | Script | Resource | EnvironmentVariable]] = {
        JOB: Job,
        SCRIPT: Script,
        RESOURCE: Resource,
        ENVIRONMENT_VARIABLE: EnvironmentVariable,
    }
    for kind, model in models.items():
        if kind in kinds:
            rows = model.objects.filter(workspace=workspace).order_by("name").values_list("name", flat=True)
            found[(kind, None)] = list(rows[: MAX_CANDIDATES + 1])
    for kind, builtin in BUILTIN_OBJECTS:
        if kind in kinds and builtin not in found[(kind, None)]:
            found[(kind, None)].append(builtin)
    result: dict[tuple[str, str | None], tuple[list[str], bool]] = {}
    for kind, group_type in groups:
        candidates = sorted(found.get((kind, group_type if kind == CONNECTION else None), []))
        result[(kind, group_type)] = (candidates[:MAX_CANDIDATES], len(candidates) > MAX_CANDIDATES)
    return result


def _missing_groups(
    *,
    workspace: Workspace,
    missing: dict[tuple[str, str], Use],
    definitions: dict[str, dict[str, Any]],
    existing: Existing,
) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str | None], list[Use]] = defaultdict(list)
    for use in missing.values():
        grouped[(use.kind, use.connection_type if use.kind == CONNECTION else None)].append(use)
    candidates = _candidates(workspace=workspace, groups=set(grouped))
    order = {kind: i for i, kind in enumerate((*REQUIRED_KINDS, ENVIRONMENT_VARIABLE))}
    groups = []
    for (kind, type_), uses in sorted(grouped.items(), key=lambda g: (order.get(g[0][0], 99), g[0][1] or "")):
        names, truncated = candidates[(kind, type_)]
        label = KIND_LABELS.get(kind, kind)
        references = []
        for use in sorted(uses, key=lambda u: u.name):
            ref: dict[str, Any] = {
                "name": use.name,
                "usedBy": use.used_by,
                "usedByCount": len(use.objects),
                "canCreate": False,
            }
            if kind == SCRIPT and use.script_types:
                ref["scriptTypes"] = use.script_types_needed
            if kind == CONNECTION:
                definition = definitions.get(use.name)
                taken = existing.connections.get(use.name)
                if taken is not None:
                    ref["note"] = f"a {taken} data connection named {use.name} exists; this needs {type_}"
                elif definition is not None and (type_ is None or definition["type"] == type_):
                    ref["canCreate"] = True
                    ref["secretFields"] = definition["secretFields"]
            references.append(ref)
        groups.append(
            {
                "kind": kind,
                "connectionType": type_,
                "label": f"{type_} data connection" if kind == CONNECTION and type_ else label,
                "required": kind in REQUIRED_KINDS,
                # The user may leave it unresolved: DataArts imports the job and fails it when scheduled.
                "canLeaveUnresolved": kind in UNRESOLVABLE_KINDS,
                "candidates": names,
                "candidatesTruncated": truncated,
                "references": references,
            }
        )
    return groups


def _params(document: dict[str, Any]) -> list[dict[str, Any]]:
    masked = {str(n) for n in document.get("maskedParams") or [] if isinstance(n, str)}
    params = []
    for param in document.get("params") or []:
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            name = param["name"]
            # Named like a secret, masked or not: exports empty it as they empty a masked one, so the
            # wizard asks for it the same way (and an empty answer keeps the target job's stored one).
            is_masked = name in masked or flag_true(param.get("masked")) or secret_name_like(name)
            params.append(
                {
                    "name": name,
                    # A masked value a package carries all the same never reaches the task row.
                    "value": "" if is_masked else param.get("value"),
                    "type": param.get("type") or "variable",
                    "masked": is_masked,
                }
            )
    return params


def _job_row(job: PackageJob, doc: Any, state: State | None) -> dict[str, Any]:
    """What the wizard shows of a job: from its document, and ``state`` of the workspace's job of its name."""
    doc = doc if isinstance(doc, dict) else {}
    holder, scheduled, blocked = state or (None, False, None)
    return {
        "name": job.name,
        "path": job.path,
        "directory": doc.get("directory") or "/",
        "processType": doc.get("processType"),
        "nodeCount": len(doc.get("nodes") or []),
        "params": _params(doc),
        "scripts": list(job.scripts),  # the scripts beside it in a batch-layout folder
        "exists": state is not None,
        "lockHolder": holder,
        "scheduled": scheduled,
        "blockedReason": blocked,
    }


def _script_row(script: PackageScript, doc: Any, state: State | None) -> dict[str, Any]:
    doc = doc if isinstance(doc, dict) else {}
    holder, _, blocked = state or (None, False, None)
    return {
        "name": script.name,
        "path": script.path,
        "type": doc.get("type"),
        "directory": doc.get("directory") or "/",
        "connectionName": doc.get("connectionName") or "",
        "exists": state is not None,
        "lockHolder": holder,
        "blockedReason": blocked,
    }


def _states(*, workspace: Workspace, user: User, kind: str, names: list[str]) -> dict[str, State]:
    """Per name of ``names`` the workspace holds (a job or a script), what the wizard shows of it, read a
    chunk at a time: model objects for only a few thousand names are alive at once."""
    states: dict[str, State] = {}
    for start in range(0, len(names), STATE_CHUNK):
        existing = existing_load(workspace=workspace, names={kind: set(names[start : start + STATE_CHUNK])})
        objects: dict[str, Job] | dict[str, Script] = existing.jobs if kind == JOB else existing.scripts
        for name, obj in objects.items():
            scheduled = isinstance(obj, Job) and obj.schedule_status == ScheduleStatus.SCHEDULING
            states[name] = (_holder(obj), scheduled, blocked_reason(obj=obj, user=user))
    return states


def _row_json(row: dict[str, Any]) -> bytes:
    """A row as JSON text, kept instead of its objects (a fraction of their memory) until the whole
    inspection is written; a value orjson cannot write (an integer beyond 64 bits) goes through ``json``."""
    try:
        return orjson.dumps(row)
    except orjson.JSONEncodeError:
        return json.dumps(row).encode()


def inspection_json(inspection: dict[str, Any]) -> bytes:
    """The JSON text of a task row's result holding ``inspection`` (orjson's, or ``json``'s for a value
    orjson cannot write)."""
    try:
        return orjson.dumps({"inspection": inspection})
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return json.dumps({"inspection": inspection}).encode()


ROW_KINDS = ("jobs", "scripts")


class RowSpool:
    """The jobs' and scripts' rows of an inspection as JSON text, a line each, zlib-compressed as they are
    added (as ``IndexWriter`` keeps what the preview needs): until the task row is written from them,
    neither their objects nor their whole text (tens of megabytes for a package of 10,000 jobs, a tenth
    of that compressed) are held in memory."""

    def __init__(self) -> None:
        self._compressors = {kind: zlib.compressobj(1) for kind in ROW_KINDS}
        self._chunks: dict[str, list[bytes]] = {kind: [] for kind in ROW_KINDS}
        self.counts = dict.fromkeys(ROW_KINDS, 0)

    def add(self, kind: str, row: dict[str, Any]) -> None:
        chunk = self._compressors[kind].compress(_row_json(row) + b"\n")  # one line: no newline inside
        if chunk:
            self._chunks[kind].append(chunk)
        self.counts[kind] += 1

    def rows(self, kind: str) -> Iterator[bytes]:
        """The rows of ``kind`` (``jobs``, ``scripts``) as JSON text, in the order they were added (none
        may be added once they are read)."""
        compressor = self._compressors.pop(kind, None)
        if compressor is not None:
            self._chunks[kind].append(compressor.flush())
        decompressor, rest = zlib.decompressobj(), b""
        for chunk in self._chunks[kind]:
            *lines, rest = (rest + decompressor.decompress(chunk)).split(b"\n")
            yield from lines
        *lines, rest = (rest + decompressor.flush()).split(b"\n")
        yield from lines


def package_inspect(
    *,
    package: Package,
    workspace: Workspace,
    user: User,
    category: str = CATEGORY_JOB,
    kept: IndexWriter | None = None,
    spool: RowSpool | None = None,
) -> dict[str, Any]:
    """What step 2 of the wizard shows: the package's contents with their parameters, the names that
    already exist (lock holder, schedule, and why an overwrite would fail), and every missing reference
    grouped by type with the candidates that could replace it. One query per kind of object.

    Each document is read from the package once and only what the wizard shows is kept of it: names,
    paths, directories, parameters and references, never a document (the result is stored in the task
    row and sent to the browser). ``kept`` receives what the preview takes from each job and script
    (``factory.transfer.imports.index``), from the same reading.

    What the workspace holds of the package's own jobs and scripts is read first, so that each row is
    made whole as its document is read. ``spool``: the jobs' and scripts' rows go there rather than into
    the result (whose ``jobs`` and ``scripts`` are then empty), for a caller that only writes them."""
    contents = Contents.of(package, category=category)
    job_states = _states(workspace=workspace, user=user, kind=JOB, names=[j.name for j in contents.jobs])
    script_states = _states(
        workspace=workspace, user=user, kind=SCRIPT, names=[s.name for s in contents.scripts]
    )
    jobs: list[dict[str, Any]] = []
    scripts: list[dict[str, Any]] = []
    warnings: list[str] = []
    blocked = 0

    def visit(entry: PackageJob | PackageScript, document: Any) -> None:
        nonlocal blocked
        if kept is not None:
            kept.add("job" if isinstance(entry, PackageJob) else "script", entry.name, document)
        if isinstance(entry, PackageJob):
            row = _job_row(entry, document, job_states.get(entry.name))
            kind, target = "jobs", jobs
            for node, node_type in job_unknown_nodes(document):
                warnings.append(
                    f"Job {entry.name}: node {node}: unknown type {node_type}, its references are not checked."
                )
        else:
            row = _script_row(entry, document, script_states.get(entry.name))
            kind, target = "scripts", scripts
        blocked += bool(row["exists"] and row["blockedReason"])
        if spool is not None:
            spool.add(kind, row)
        else:
            target.append(row)

    # References to the package's own objects are edges: a Use each for its tens of thousands of scripts
    # would hold what only the list of references below needs.
    collected = references_gather(
        contents, visit=visit, keep=kept.references if kept is not None else None, linked=True
    )
    uses, edges = collected.uses, collected.edges
    del collected
    # The package's own jobs and scripts are in ``job_states``/``script_states``; what it refers to besides.
    names = names_needed(contents, uses)
    names[JOB].difference_update(job_states)
    names[SCRIPT].difference_update(script_states)
    existing = existing_load(workspace=workspace, names=names)
    definitions = {c.name: _connection_definition(c) for c in contents.connections}
    missing = missing_references(contents=contents, uses=uses, existing=existing)
    resources = []
    for resource in contents.resources:
        doc = resource.document
        resources.append(
            {
                "name": resource.name,
                "path": resource.path,
                "type": doc.get("type"),
                "location": doc.get("location"),
                "directory": doc.get("directory") or "/",
                "exists": resource.name in existing.resources,
            }
        )
    connections = []
    for conn in contents.connections:
        definition = definitions[conn.name]
        taken = existing.connections.get(conn.name)
        connections.append(
            {**definition, "path": conn.path, "exists": taken is not None, "canCreate": taken is None}
        )
    environment = [
        {
            "name": str(v["name"]),
            "value": v.get("value", ""),
            "exists": str(v["name"]) in existing.environment,
        }
        for v in contents.environment
    ]
    groups = _missing_groups(workspace=workspace, missing=missing, definitions=definitions, existing=existing)
    references: dict[str, list[str]] = defaultdict(list)
    for kind, name in sorted({*uses, *(key for keys in edges.values() for key in keys)}):
        references[kind].append(name)
    conflicts = len(job_states) + len(script_states) + sum(1 for o in resources if o["exists"])
    return {
        "category": category,
        "package": {
            "layout": package.layout,
            "hasManifest": package.has_manifest,
            "ignored": package.ignored[:100],
        },
        "jobs": jobs,
        "scripts": scripts,
        "resources": resources,
        "connections": connections,
        "environment": environment,
        "missing": groups,
        "references": dict(references),
        "notes": contents.notes,
        # Imported as they are, but nothing here knows what they refer to: said, never passed silently.
        "warnings": warnings,
        "summary": {
            "jobs": spool.counts["jobs"] if spool is not None else len(jobs),
            "scripts": spool.counts["scripts"] if spool is not None else len(scripts),
            "resources": len(resources),
            "conflicts": conflicts,
            "blocked": blocked,
            "missing": sum(len(g["references"]) for g in groups if g["required"]),
            "warnings": len(warnings),
        },
    }


def inspection_message(inspection: dict[str, Any]) -> str:
    summary = inspection["summary"]
    parts = [
        f"{summary['jobs']} job(s)",
        f"{summary['scripts']} script(s)",
        f"{summary['resources']} resource(s)",
    ]
    text = f"The package holds {', '.join(parts)}"
    text += f"; {summary['conflicts']} already exist" if summary["conflicts"] else ""
    text += f"; {summary['missing']} missing reference(s) to map" if summary["missing"] else ""
    text += f"; {summary['warnings']} warning(s)" if summary.get("warnings") else ""
    return text + "."


ROWS_OF_KIND = (
    "SELECT coalesce(jsonb_agg(row ORDER BY position), '[]'::jsonb) FROM inspection_row WHERE kind = "
)
RESULT_WITH_ROWS = (
    f"jsonb_set(jsonb_set(%s, '{{inspection,jobs}}', ({ROWS_OF_KIND}'jobs')), "
    f"'{{inspection,scripts}}', ({ROWS_OF_KIND}'scripts'))"
)


def _result_value(inspection: dict[str, Any], spool: RowSpool) -> Any:
    """What the task row's ``result`` is set to: ``inspection`` with the rows of ``spool``. On PostgreSQL
    the rows are copied from the spool into a temporary table, one at a time, and the value is assembled
    there (in the caller's transaction), so that neither the rows nor the whole JSON text are ever held
    in memory; elsewhere, a dict."""
    if connection.vendor != "postgresql":
        result = {"inspection": json.loads(inspection_json(inspection))}
        for kind in ROW_KINDS:
            result["inspection"][kind] = [json.loads(row) for row in spool.rows(kind)]
        return result
    raw = connection.connection  # psycopg's own, inside the caller's atomic block
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.inspection_row")
        cursor.execute(
            "CREATE TEMP TABLE inspection_row (kind text, position bigint, row jsonb) ON COMMIT DROP"
        )
        with cursor.copy("COPY inspection_row (kind, position, row) FROM STDIN") as copy:
            for kind in ROW_KINDS:
                for position, row in enumerate(spool.rows(kind)):
                    copy.write_row((kind, position, row.decode()))
    head = inspection_json(inspection)
    return RawSQL(RESULT_WITH_ROWS, (Jsonb(head, dumps=_as_is),), output_field=JSONField())


def _as_is(text: bytes) -> bytes:
    return text


def import_inspect(*, task_id: int) -> None:
    """Step 1 in the background: read and check the package, record the inspection, wait for the user.

    A refused package fails the task with the reader's message (naming the entry and the rule) and
    leaves nothing behind: no object, no upload in storage, no temporary file.
    """
    task = task_claim(task_id=task_id, step=STEP_INSPECT)
    if task is None:
        return
    source = task.params.get("source") or {}
    publisher = ProgressPublisher(
        public_id=task.public_id, step=STEP_INSPECT, start=0, end=INSPECTED_PROGRESS
    )
    publisher.stage(f"Reading {source_label(source)}...")
    try:
        _inspection_record(task, publisher=publisher, spool=RowSpool())
    finally:
        task_progress_clear(public_id=task.public_id)


def _inspection_record(task: SystemTask, *, publisher: ProgressPublisher, spool: RowSpool) -> None:
    """Inspect ``task``'s package and record the inspection, its rows through ``spool``."""
    task_id, source = task.pk, task.params.get("source") or {}
    try:
        package, digest, size = package_load(source=source, workspace=task.workspace)
        with package:
            count = len(package.jobs) + len(package.scripts) + len(package.resources)
            # Read: half of this step's share done.
            publisher.stage(
                f"Checking the package's {count} object(s) against the workspace...", done=1, total=2
            )
            category = task.params.get("category") or CATEGORY_JOB
            kept = IndexWriter()
            inspection = package_inspect(
                package=package,
                workspace=task.workspace,
                user=task_user(task),
                category=category,
                kept=kept,
                spool=spool,
            )
            # For the preview, which opens this file again without reading its documents.
            try:
                index_store(task_id=task_id, sha256=digest, category=category, package=package, kept=kept)
            except DatabaseError:  # the preview then reads the package itself
                logger.warning(
                    "Import %s: keeping the package's index failed.", task.public_id, exc_info=True
                )
            del kept
        del package  # its entries too: the inspection's rows are all this step needs from here on
    except Exception as exc:
        message, code, detail = error_detail(exc)
        if code == ErrorCode.INTERNAL_ERROR:
            logger.exception("Import %s: inspecting the package failed.", task.public_id)
        task_fail(task_id=task_id, message=message, code=code, detail=detail)
        return
    inspection["package"].update(
        fileName=source.get("fileName"), source=source_label(source), sha256=digest, size=size
    )
    message = inspection_message(inspection)
    try:
        with transaction.atomic():
            row = task_locked(task_id, with_result=False)
            if row is None or row.step != STEP_INSPECT or row.status != TaskStatus.RUNNING:
                return
            row.status = TaskStatus.WAITING
            row.step = STEP_INSPECTED
            row.progress = INSPECTED_PROGRESS
            row.message = message
            row.save(update_fields=["status", "step", "progress", "message", "updated_at"])
            SystemTask.objects.filter(pk=row.pk).update(result=_result_value(inspection, spool))
    except DatabaseError:
        # Never leave the task RUNNING (it would block every import into the workspace): fail it.
        logger.exception("Import %s: recording the inspection failed.", task.public_id)
        task_fail(
            task_id=task_id,
            message="The package's inspection could not be recorded (the database refused it); nothing was imported.",
            code=ErrorCode.INTERNAL_ERROR,
            detail={},
        )
