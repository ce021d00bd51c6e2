"""What an import needs to know, shared by the inspection and the apply: what the package brings, what it
refers to, what the workspace holds of those names (one query per kind), and what is missing.

Nothing here keeps a document: :class:`Contents` holds the package's entries (names and paths), and a
pass that needs documents (:func:`references_collect`) reads each one from the package once and keeps
only what it found in it (references).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from factory.connections.models import DataConnection, ExternalObject, ExternalObjectKind
from factory.development.models import EnvironmentVariable, Job, Resource, ScheduleStatus, Script
from factory.development.nodes import (
    BUILTIN_OBJECTS,
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    EXTERNAL_KINDS,
    JOB,
    RESOURCE,
    SCRIPT,
    Reference,
    job_references,
    script_references,
)
from factory.development.services import lock_can_acquire
from factory.packages import Package, PackageConnection, PackageJob, PackageResource, PackageScript
from factory.transfer.imports.common import CATEGORY_SCRIPT
from factory.workspaces.models import Workspace

MAX_CANDIDATES = 1000
MAX_USED_BY = 20
FEW_USERS = 8
# The kinds a user must map (or create) before apply; an environment variable is only reported: a ``${x}``
# may equally be a script parameter, and a job runs with an unset variable until someone creates it.
REQUIRED_KINDS = (SCRIPT, CONNECTION, *EXTERNAL_KINDS, RESOURCE, JOB)
KIND_LABELS = {
    SCRIPT: "Script",
    CONNECTION: "Data connection",
    RESOURCE: "Resource",
    JOB: "Sub-job",
    ENVIRONMENT_VARIABLE: "Environment variable",
    **{kind.value: str(kind.label) for kind in ExternalObjectKind},
}
# Connection secrets a definition is usually created with; the user may type others.
DEFAULT_SECRET_FIELDS = ["password"]


# --- what a package brings ---------------------------------------------------------------------------


@dataclass
class Contents:
    """The part of a package an import of ``category`` brings in (the Import Script wizard: scripts only):
    its entries, whose documents are read from the package by each pass that needs them."""

    category: str
    jobs: list[PackageJob]
    scripts: list[PackageScript]
    resources: list[PackageResource]
    connections: list[PackageConnection]
    environment: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, package: Package, *, category: str) -> Contents:
        if category == CATEGORY_SCRIPT:
            notes = []
            if package.jobs or package.resources:
                notes.append(
                    f"The package also holds {len(package.jobs)} job(s) and {len(package.resources)} resource(s); "
                    "Import Script imports scripts only (use Import Job for the rest)."
                )
            return cls(category, [], list(package.scripts), [], list(package.connections), [], notes)
        environment = [v for v in package.environment or [] if isinstance(v, dict) and v.get("name")]
        return cls(
            category,
            list(package.jobs),
            list(package.scripts),
            list(package.resources),
            list(package.connections),
            environment,
        )


@dataclass(slots=True)
class Use:
    """Every use of one referenced object (kind, name) by the package's jobs and scripts.

    ``used_by`` lists the first uses (``MAX_USED_BY``), for the references the package does not bring
    itself (the only ones whose uses the wizard shows: those that may be missing); ``objects`` every
    job and script that uses it."""

    kind: str
    name: str
    connection_types: frozenset[str] = frozenset()  # shared while empty, as it is for most references
    # For a script: per kind of node that runs it, the script types that node accepts; a replacement
    # must fit them all.
    script_types: frozenset[tuple[str, ...]] = frozenset()
    used_by: list[dict[str, Any]] | tuple[()] = ()  # a list once there is one to show
    # ("job"|"script", name) of each object that uses it, once: a tuple while they are few (most
    # references have one or two users), a list beyond (a data connection used by every script of a
    # large package: 8 bytes a user, where a set took about ten times that).
    objects: tuple[tuple[str, str], ...] | list[tuple[str, str]] = ()

    def used_in(self, owner: tuple[str, str]) -> None:
        """Note that ``owner`` uses it. An owner's references are collected together (one document, or
        what was kept of it, at a time), so an owner noted already is the last one noted."""
        objects = self.objects
        if objects and objects[-1] == owner:
            return
        if isinstance(objects, list):
            objects.append(owner)
        else:
            self.objects = (*objects, owner) if len(objects) < FEW_USERS else [*objects, owner]

    @property
    def connection_type(self) -> str | None:
        return min(self.connection_types) if self.connection_types else None

    @property
    def script_types_needed(self) -> list[str]:
        """The script types a replacement may have: those every node that runs it accepts (empty: any)."""
        if not self.script_types:
            return []
        sets = [{t.replace(" ", "").lower(): t for t in types} for types in self.script_types]
        common = set.intersection(*(set(s) for s in sets))
        return sorted({sets[0][key] for key in common})


LINKABLE = (SCRIPT, RESOURCE, JOB)
"""The kinds of reference that may be a package's own object, and then an edge (``ReferencesCollector``)."""
Edges = dict[tuple[str, str], tuple[tuple[str, str], ...]]
"""Per job or script ``(type, name)``, the package's own objects it refers to (``ReferencesCollector``'s
``linked``)."""
Visit = Callable[[PackageJob | PackageScript, Any], None]
"""Called with each job and script and its document as :func:`references_collect` reads it."""
Keep = Callable[[tuple[str, str], list[tuple[Any, ...]]], None]
"""Called with each job's and script's ``(type, name)`` and its references, ``(kind, name, connection
type, script types)`` each once, as they are collected (before ``Visit`` sees its document), for a step
that keeps them for a later one (``ReferencesCollector.add_kept`` takes them again)."""


def references_collect(
    contents: Contents, *, visit: Visit | None = None, keep: Keep | None = None
) -> dict[tuple[str, str], Use]:
    """Every reference of the package's jobs and scripts. Each document is read from the package once,
    here, and let go; ``visit`` takes from it whatever else its caller needs in the same pass (after
    ``keep``, see :data:`Keep`)."""
    return references_gather(contents, visit=visit, keep=keep).uses


def references_gather(
    contents: Contents, *, visit: Visit | None = None, keep: Keep | None = None, linked: bool = False
) -> ReferencesCollector:
    """:func:`references_collect`'s collector; ``linked``: the references to the package's own scripts,
    resources and jobs are its ``edges`` (see ``ReferencesCollector``), not ``Use``s."""
    given = provided(contents)
    collector = ReferencesCollector(
        category=contents.category, given=given, keep=keep, linked=given if linked else None
    )
    for job in contents.jobs:
        document = job.document
        collector.add("job", job.name, document)
        if visit is not None:
            visit(job, document)
    for script in contents.scripts:
        document = script.document
        collector.add("script", script.name, document)
        if visit is not None:
            visit(script, document)
    return collector


class ReferencesCollector:
    """The references of a package's jobs and scripts, gathered one document at a time: by
    :func:`references_collect`, or while the package is read (``package_read(visit=collector.add)``),
    so that a step that needs them reads no document for them.

    ``given`` (what the package provides, :func:`provided`) is needed for ``Use.used_by`` only, which
    the wizard shows; without it no ``used_by`` is kept (the plan needs none).

    ``linked``: references to these of the package's own scripts, resources and jobs are not kept as
    ``Use``s but per object, in ``edges`` (``(type, name)`` -> the keys it refers to, each once): all
    the plan does with them is make the objects that use them depend on them (``plan_build(edges=)``),
    and a ``Use`` for each of the tens of thousands of scripts a large package's jobs run costs a few
    hundred bytes more than the edge."""

    def __init__(
        self,
        *,
        category: str,
        given: set[tuple[str, str]] | None = None,
        keep: Keep | None = None,
        linked: set[tuple[str, str]] | None = None,
    ) -> None:
        self.uses: dict[tuple[str, str], Use] = {}
        self.edges: Edges = {}
        self.given = given
        self.keep = keep
        self.linked = linked
        self.with_jobs = category != CATEGORY_SCRIPT  # Import Script brings the package's scripts only
        # Each distinct set of connection or script types once: tens of thousands of references have one
        # of a handful (a frozenset is 216 bytes).
        self._sets: dict[frozenset[Any], frozenset[Any]] = {}

    def _shared(self, values: frozenset[Any]) -> frozenset[Any]:
        return self._sets.setdefault(values, values)

    def add(self, kind: str, name: str, document: Any) -> None:
        """Collect the references of the job or script ``name`` (``kind``) from ``document``."""
        if kind == "job" and self.with_jobs:
            self._add(job_references(document), ("job", name))
        elif kind == "script":
            self._add(script_references(document), ("script", name))

    def add_kept(self, owner: tuple[str, str], refs: Iterable[Sequence[Any]]) -> None:
        """Collect references kept by an earlier pass (``keep``): ``[kind, name, connection type, script
        types]`` each, without where they were found (no ``used_by``)."""
        self._add(
            (
                Reference(kind, name, connection_type, None, None, tuple(script_types))
                for kind, name, connection_type, script_types in refs
            ),
            owner,
        )

    def _add(self, refs: Iterable[Reference], owner: tuple[str, str]) -> None:
        uses, given = self.uses, self.given
        # (kind, name, connection type, script types) of each reference, once, with the Use's own strings
        # (tens of thousands of objects share a few hundred names).
        kept: dict[tuple[Any, ...], None] | None = {} if self.keep is not None else None
        linked = self.linked
        edges: dict[tuple[str, str], None] = {}
        for ref in refs:
            key = (ref.kind, ref.name)
            if linked is not None and ref.kind in LINKABLE and key in linked:
                edges[key] = None
                if kept is not None:
                    kept[(ref.kind, ref.name, ref.connection_type, ref.script_types)] = None
                continue
            use = uses.get(key)
            if use is None:
                use = uses[key] = Use(ref.kind, ref.name)
            if kept is not None:
                kept[(use.kind, use.name, ref.connection_type, ref.script_types)] = None
            if ref.connection_type and ref.connection_type not in use.connection_types:
                use.connection_types = self._shared(use.connection_types | {ref.connection_type})
            if ref.script_types and ref.script_types not in use.script_types:
                use.script_types = self._shared(use.script_types | {ref.script_types})
            use.used_in(owner)
            if given is not None and len(use.used_by) < MAX_USED_BY and key not in given:
                if isinstance(use.used_by, tuple):
                    use.used_by = []
                use.used_by.append(
                    {"type": owner[0], "name": owner[1], "node": ref.node, "property": ref.property}
                )
        if edges:
            self.edges[owner] = tuple(edges)
        if self.keep is not None and kept is not None:
            self.keep(owner, list(kept))


# --- what the workspace has --------------------------------------------------------------------------


@dataclass
class Existing:
    """The workspace's objects of the names that matter to one package: one query per kind."""

    jobs: dict[str, Job]
    scripts: dict[str, Script]
    resources: dict[str, Resource]
    connections: dict[str, str]  # name -> type
    externals: set[tuple[str, str]]
    environment: set[str]

    def has(self, kind: str, name: str, connection_type: str | None = None) -> bool:
        if (kind, name) in BUILTIN_OBJECTS:
            return True
        if kind == CONNECTION:
            found = self.connections.get(name)
            return found is not None and (connection_type is None or found == connection_type)
        if kind in EXTERNAL_KINDS:
            return (kind, name) in self.externals
        tables: dict[str, Iterable[str]] = {
            JOB: self.jobs,
            SCRIPT: self.scripts,
            RESOURCE: self.resources,
            ENVIRONMENT_VARIABLE: self.environment,
        }
        table = tables.get(kind, ())
        return name in table


# What the inspection and the preview never read of the workspace's jobs and scripts (the apply, which
# writes them, reads them whole).
_UNREAD: dict[type[Job | Script], tuple[str, ...]] = {
    Job: ("created_at", "updated_at", "locked_at", "secrets_encrypted", "secret_fields"),
    Script: ("created_at", "updated_at", "locked_at"),
}


def _named(model: Any, names: Iterable[str]) -> Any:
    """The rows of ``model`` named one of ``names``: on PostgreSQL one array parameter (``= ANY``) rather
    than a placeholder each, which for the 40,000 scripts of a large package cost more building the query
    than running it. (``IN (SELECT unnest(...))`` would let the planner choose a plan ten times slower.)"""
    wanted = sorted(names)
    if connection.vendor != "postgresql":
        return Q(name__in=wanted)
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name('name')}"
    return RawSQL(f"{column} = ANY(%s)", (wanted,), output_field=BooleanField())


# What deciding an existing job's or script's outcome reads of it (lock holder, lock policy, schedule).
DECIDED_BY = ("name", "workspace", "lock_holder")


def existing_load(
    *,
    workspace: Workspace,
    names: dict[str, set[str]],
    lock: bool = False,
    light: bool = False,
    user: User | None = None,
) -> Existing:
    """Load by name what the workspace holds; ``lock`` row-locks jobs, scripts and resources (apply).

    Jobs and scripts come without their document; ``light``: with only what deciding their outcome reads
    (``DECIDED_BY``, and a job's schedule status), a few hundred bytes each rather than a whole row, for a
    caller that reads the rest of those it writes when it writes them (the apply, batch by batch), and
    which decides for ``user``."""
    user_id = user.pk if user is not None else None

    def rows(model: Any, kind: str) -> Any:
        queryset = model.objects.filter(_named(model, names.get(kind, ())), workspace=workspace)
        if not lock:
            # Read, not written: without the columns nothing that reads these objects uses (a large
            # package's tens of thousands of objects, each parsing its dates and secrets).
            return queryset.defer(*_UNREAD.get(model, ()))
        # Lock without joins, then read (with select_related) what was locked: a locking statement
        # that waited re-checks the row against joined rows it had already fetched (PostgreSQL's
        # EvalPlanQual), so a lock holder changed meanwhile would come back as None.
        locked = list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True))
        return queryset.filter(pk__in=locked)

    if light:
        job_rows, script_rows = (
            rows(Job, JOB).only(*DECIDED_BY, "schedule_status"),
            rows(Script, SCRIPT).only(*DECIDED_BY),
        )
    else:
        job_rows, script_rows = rows(Job, JOB).defer("document"), rows(Script, SCRIPT).defer("document")
    jobs = {j.name: j for j in job_rows}
    scripts = {s.name: s for s in script_rows}
    # Lock holders are a handful of users: one query, one object each (a join would build one per row).
    holder_ids = {obj.lock_holder_id for obj in (*jobs.values(), *scripts.values()) if obj.lock_holder_id}
    holders = (
        {user.pk: user for user in get_user_model().objects.filter(pk__in=holder_ids)} if holder_ids else {}
    )
    for obj in (*jobs.values(), *scripts.values()):
        # Lock checks read the policy without a query per object. They read neither for a row nobody
        # but ``user`` holds, and a light row is only decided by: it goes without them (the cache of
        # the two is a dict per row, a third of what the row costs).
        if light and obj.lock_holder_id in (None, user_id):
            continue
        obj.workspace = workspace
        if obj.lock_holder_id:
            obj.lock_holder = holders[obj.lock_holder_id]
    external_names = set().union(*(names.get(kind, set()) for kind in EXTERNAL_KINDS))
    return Existing(
        jobs=jobs,
        scripts=scripts,
        resources={r.name: r for r in rows(Resource, RESOURCE)},
        connections=dict(
            DataConnection.objects.filter(
                workspace=workspace, name__in=sorted(names.get(CONNECTION, ()))
            ).values_list("name", "type")
        ),
        externals={
            (kind, name)
            for kind, name in ExternalObject.objects.filter(
                workspace=workspace, kind__in=EXTERNAL_KINDS, name__in=sorted(external_names)
            ).values_list("kind", "name")
        }
        if external_names
        else set(),
        environment=set(
            EnvironmentVariable.objects.filter(
                workspace=workspace, name__in=sorted(names.get(ENVIRONMENT_VARIABLE, ()))
            ).values_list("name", flat=True)
        ),
    )


def names_needed(contents: Contents, uses: dict[tuple[str, str], Use]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    names[JOB].update(j.name for j in contents.jobs)
    names[SCRIPT].update(s.name for s in contents.scripts)
    names[RESOURCE].update(r.name for r in contents.resources)
    names[CONNECTION].update(c.name for c in contents.connections)
    names[ENVIRONMENT_VARIABLE].update(str(v["name"]) for v in contents.environment)
    for kind, name in uses:
        names[kind].add(name)
    return names


def provided(contents: Contents) -> set[tuple[str, str]]:
    """What the package itself brings: its scripts, resources, jobs (sub-jobs) and variables. Its data
    connections are not provided: they are definitions the user may choose to create (with secrets)."""
    keys = {(SCRIPT, s.name) for s in contents.scripts}
    keys |= {(RESOURCE, r.name) for r in contents.resources}
    keys |= {(JOB, j.name) for j in contents.jobs}
    keys |= {(ENVIRONMENT_VARIABLE, str(v["name"])) for v in contents.environment}
    return keys


def missing_references(
    *, contents: Contents, uses: dict[tuple[str, str], Use], existing: Existing
) -> dict[tuple[str, str], Use]:
    """The references neither the package nor the workspace satisfies (a data connection of the wrong
    type counts as missing)."""
    given = provided(contents)
    return {
        key: use
        for key, use in uses.items()
        if key not in given and not existing.has(use.kind, use.name, use.connection_type)
    }


def blocked_reason(*, obj: Job | Script, user: User, schedules_kept: bool = False) -> str | None:
    """Why overwriting ``obj`` would fail: a hard lock held by someone else, or a running schedule (unless
    ``schedules_kept``: the job is stopped, updated and started again in the same transaction)."""
    if isinstance(obj, Job) and obj.schedule_status == ScheduleStatus.SCHEDULING and not schedules_kept:
        return f"job {obj.name} is scheduled; stop it first"
    return lock_can_acquire(obj=obj, user=user)
