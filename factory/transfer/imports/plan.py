"""Import, the plan of step 3: every object's outcome, decided on the live workspace, and how its final
document is made.

Nothing is written here. The outcome of each object follows its policy (overwrite, skip, rename) and
what the workspace holds now (not what the inspection saw): a hard lock of another user or a running
schedule fails an overwrite, a reference that resolves to nothing fails its users, and so does a
dependency of the package that failed. The plan holds no documents: each item keeps its package entry,
and ``Plan.document`` reads it when the item is written, rewritten by the remap (the user's replacements
and the new names of renamed objects) and copying only what the remap changes.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import cached_property, reduce
from operator import or_
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Q

from factory.development.models import Job, Resource, ScheduleStatus, Script
from factory.development.nodes import (
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    JOB,
    RESOURCE,
    SCRIPT,
    job_references,
    job_references_rewrite,
    script_references,
)
from factory.development.rewriting import job_document_rewrite, script_document_rewrite
from factory.packages import Package
from factory.packages.overrides import job_params_set, schedule_time_zone_set
from factory.transfer.imports.analysis import (
    KIND_LABELS,
    REQUIRED_KINDS,
    Contents,
    Edges,
    Existing,
    Use,
    blocked_reason,
    existing_load,
    missing_references,
    names_needed,
    references_collect,
)
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.imports.common import RENAME, SKIP
from factory.transfer.imports.items import CREATED, FAILED, OVERWRITTEN, RENAMED, SKIPPED, Item
from factory.transfer.imports.overrides import lock_skipped, params_mask, variables_plan
from factory.workspaces.models import Workspace

NAME_LIMITS = {"job": 128, "script": 128, "resource": 32}


# --- planning ----------------------------------------------------------------------------------------


def _free_names(
    *,
    workspace: Workspace,
    model: type[Job | Script | Resource],
    wanted: list[str],
    reserved: set[str],
    limit: int,
) -> dict[str, str]:
    """``name_copy``, ``name_copy2``, ... the first free name for each of ``wanted`` (one query)."""
    if not wanted:
        return {}
    stems = {name: name[: limit - len("_copy9999")] for name in wanted}
    taken = set(
        model.objects.filter(workspace=workspace)
        .filter(reduce(or_, (Q(name__startswith=stem) for stem in set(stems.values()))))
        .values_list("name", flat=True)
    ) | set(reserved)
    result = {}
    for name in wanted:
        for n in range(1, 10_000):
            suffix = "_copy" if n == 1 else f"_copy{n}"
            candidate = name[: limit - len(suffix)] + suffix
            if candidate not in taken:
                taken.add(candidate)
                result[name] = candidate
                break
    return result


def _decide(
    item: Item, *, policy: str, user: User, schedules_kept: bool = False, skip_unchanged: bool = False
) -> None:
    """Created, or, for a name that exists, overwritten / skipped / renamed per the policy."""
    if item.existing is None:
        item.outcome, item.new_name = CREATED, item.name
    elif policy == SKIP:
        item.outcome, item.new_name = SKIPPED, item.name
        item.message = f"{item.type.capitalize()} {item.name} exists; skipped (policy skip)."
    elif policy == RENAME:
        item.outcome = RENAMED
    else:
        item.outcome, item.new_name = OVERWRITTEN, item.name
        if isinstance(item.existing, (Job, Script)):
            scheduled = (
                isinstance(item.existing, Job) and item.existing.schedule_status == ScheduleStatus.SCHEDULING
            )
            # With skipUnchanged a scheduled job fails only if it would be written (decided per batch).
            deferred = scheduled and skip_unchanged and not schedules_kept
            reason = blocked_reason(obj=item.existing, user=user, schedules_kept=schedules_kept or deferred)
            if reason is not None:
                item.fail(f"Cannot overwrite {item.type} {item.name}: {reason}.")
            elif deferred:
                item.blocked = (
                    f"Cannot overwrite job {item.name}: job {item.name} is scheduled; stop it first."
                )
            elif scheduled:
                # Stopped, updated and started again in the apply's transaction: its schedule never stops.
                item.detail["scheduleStatus"] = ScheduleStatus.SCHEDULING
            elif item.existing.lock_holder_id not in (None, user.pk):
                holder = item.existing.lock_holder
                item.detail["lockTakenFrom"] = holder.get_username() if holder is not None else None


def _target_directory(original: Any, choices: ImportChoices) -> str:
    path = original if isinstance(original, str) and original.strip() else "/"
    if not choices.target_directory:
        return path
    if choices.directory_mode == "replace":
        return choices.target_directory
    return "/" + "/".join(p for p in (choices.target_directory + "/" + path).split("/") if p)


def _env_rewrite(value: Any, mapping: dict[str, str]) -> Any:
    """``${old}`` and ``Env.get("old")`` renamed in every string below ``value``."""
    if not mapping:
        return value
    names = "|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True))
    pattern = re.compile(rf"""(\$\{{)({names})(\}})|(Env\.get\(\s*["'])({names})(["']\s*\))""")

    def sub(match: re.Match[str]) -> str:
        if match.group(2):
            return f"{match.group(1)}{mapping[match.group(2)]}{match.group(3)}"
        return f"{match.group(4)}{mapping[match.group(5)]}{match.group(6)}"

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return pattern.sub(sub, node)
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return walk(value)


@dataclass
class Plan:
    items: list[Item]
    mapping: dict[tuple[str, str], str]
    choices: ImportChoices
    # The existing jobs and scripts on the items hold only what the plan decided by (``existing_load``'s
    # ``light``): a writer reads the rest of those it overwrites (``existing_reload``).
    light: bool = False

    @cached_property
    def env_mapping(self) -> dict[str, str]:
        return {old: new for (kind, old), new in self.mapping.items() if kind == ENVIRONMENT_VARIABLE}

    def verbatim(self, item: Item) -> bool:
        """Is the document to write for ``item`` (a job or script) its package document with only its
        ``name`` and ``directory`` set (:meth:`document` with nothing to rename, no parameter, rule, time
        zone or unresolved reference), so that its entry's text may stand for it?"""
        choices = self.choices
        if item.type not in ("job", "script") or self.mapping or choices.rewrite_rules:
            return False
        return item.type == "script" or not (
            choices.public_params
            or choices.job_params.get(item.name)
            or choices.unresolved
            or choices.expression_time_zone
        )

    def directory(self, original: Any) -> str:
        """The directory to write for a document whose own is ``original``."""
        return _target_directory(original, self.choices)

    def document(self, item: Item) -> dict[str, Any] | None:
        """The document to write for ``item``: its package entry read now (a package may parse it on every
        read: call this once per item), with the remap, parameters, name and target directory applied.

        A new top-level dict; deeper levels are shared with the entry's document unless the remap or a
        parameter changed them, so a writer must copy before changing anything below the top level."""
        if item.source is None:
            return None
        if item.type == "environment_variable":
            return cast(dict[str, Any], item.source)
        source = item.source.document
        if item.type == "connection" or not isinstance(source, dict):
            # A document that is not an object is handed on as it is: the writer's check names it.
            return cast(dict[str, Any] | None, source)
        choices = self.choices
        if item.type == "job":
            doc = job_references_rewrite(source, mapping=self.mapping)
            if self.env_mapping and isinstance(doc.get("nodes"), list):
                doc["nodes"] = _env_rewrite(doc["nodes"], self.env_mapping)
            job_params_set(doc, choices.public_params)
            job_params_set(doc, choices.job_params.get(item.name, {}))
            doc = params_mask(doc, choices.masked_params_of(item.name))
            if choices.rewrite_rules:
                doc = job_document_rewrite(document=doc, rules=choices.rewrite_rules).document
            doc = schedule_time_zone_set(doc, choices.expression_time_zone)
            if choices.unresolved:
                flagged = unresolved_references(doc, unresolved=choices.unresolved)
                if flagged:
                    item.detail["unresolved"] = flagged
        else:
            doc = dict(source)
            if item.type == "script":
                for ref in script_references(doc):
                    new = self.mapping.get((ref.kind, ref.name))
                    if new is not None and ref.property:
                        doc[ref.property] = new
                if choices.rewrite_rules:
                    doc = script_document_rewrite(document=doc, rules=choices.rewrite_rules).document
        doc["name"] = item.new_name
        doc["directory"] = _target_directory(doc.get("directory"), choices)
        return doc


def unresolved_references(
    document: dict[str, Any], *, unresolved: frozenset[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Where ``document`` (a job) uses the references the user left unresolved: per node, what it
    names, so that the report (and the canvas) can flag the nodes that will fail when scheduled."""
    return [
        {"node": ref.node, "kind": ref.kind, "name": ref.name, "property": ref.property}
        for ref in job_references(document)
        if (ref.kind, ref.name) in unresolved
    ]


def plan_build(
    *,
    package: Package,
    category: str,
    workspace: Workspace,
    user: User,
    choices: ImportChoices,
    lock: bool = True,
    uses: dict[tuple[str, str], Use] | None = None,
    edges: Edges | None = None,
    light: bool = False,
) -> Plan:
    """Decide every object's outcome and final document on the live (row-locked, unless ``lock`` is
    false: a preview) workspace; nothing is written. Failures found here (locks, schedules, missing
    references, failed dependencies) are on the items. ``uses``: the package's references, when the
    caller collected them as it read the package (``ReferencesCollector``); read here otherwise, and
    ``edges``: those to the package's own objects that the collector kept per object (its ``linked``
    and ``edges``) rather than in ``uses``. ``light``:
    the existing jobs and scripts are read with only what deciding their outcomes needs (``Plan.light``)."""
    contents = Contents.of(package, category=category)
    if uses is None:
        uses = references_collect(contents)
    names = names_needed(contents, uses)
    for (kind, _), replace in choices.mapping.items():
        names[kind].add(replace)
    existing = existing_load(workspace=workspace, names=names, lock=lock, light=light, user=user)

    connections = {c.name: c for c in contents.connections}
    items: list[Item] = []
    for name in choices.create_connections:
        item = Item("connection", name, new_name=name, outcome=CREATED)
        if name in existing.connections:
            item.fail(f"A data connection named {name} was created meanwhile; replace the reference instead.")
        elif name not in connections:
            item.fail(f"The package no longer defines data connection {name}.")
        else:
            item.source = connections[name]
        items.append(item)
    for variable in contents.environment:
        name = str(variable["name"])
        item = Item("environment_variable", name, new_name=name, source=variable)
        if name in existing.environment:
            item.outcome, item.message = (
                SKIPPED,
                f"Environment variable {name} exists; the workspace's value is kept.",
            )
        else:
            item.outcome = CREATED
        items.append(item)
    items = variables_plan(items, workspace=workspace, choices=choices)

    tables: dict[str, tuple[list[Any], dict[str, Any], type]] = {
        "resource": (contents.resources, existing.resources, Resource),
        "script": (contents.scripts, existing.scripts, Script),
        "job": (contents.jobs, existing.jobs, Job),
    }
    renames: dict[tuple[str, str], str] = {}
    for object_type, (objects, current, model) in tables.items():
        typed = [Item(object_type, o.name, existing=current.get(o.name), source=o) for o in objects]
        for item in typed:
            policy = choices.policy_for(object_type, item.name)
            if policy not in (SKIP, RENAME) and lock_skipped(item, user=user, choices=choices):
                continue
            _decide(
                item,
                policy=policy,
                user=user,
                schedules_kept=choices.keep_schedules,
                skip_unchanged=choices.skip_unchanged,
            )
        to_rename = [i.name for i in typed if i.outcome == RENAMED]
        free = _free_names(
            workspace=workspace,
            model=model,
            wanted=to_rename,
            reserved={o.name for o in objects},
            limit=NAME_LIMITS[object_type],
        )
        for item in typed:
            if item.outcome == RENAMED:
                item.new_name = free.get(item.name, "")
                if not item.new_name:
                    item.fail(f"No free name for {object_type} {item.name}_copy...")
                else:
                    renames[(object_type, item.name)] = item.new_name
                    item.message = (
                        f"{object_type.capitalize()} {item.name} exists; imported as {item.new_name}."
                    )
        items.extend(typed)

    mapping = {**renames, **choices.mapping}
    _references_check(
        items=items,
        contents=contents,
        uses=uses,
        edges=edges or {},
        existing=existing,
        choices=choices,
        mapping=mapping,
    )
    jobs = [i for i in items if i.type == "job"]
    items = [i for i in items if i.type != "job"] + _jobs_ordered(jobs)
    return Plan(items=items, mapping=mapping, choices=choices, light=light)


def _jobs_ordered(items: list[Item]) -> list[Item]:
    """The jobs a job runs (SubJob, For Each) or waits for (schedule dependencies) of the package before
    it, in name order among those free to go. Read from the references already collected, so that no
    document is parsed again. A cycle (two jobs depending on each other's schedule, a job depending on
    itself) is broken where it is met, at its first job by name: every edge outside it is still kept."""
    by_name = {item.name: item for item in items}
    # Only the jobs that wait for another hold a set (most wait for none: an empty set is 216 bytes).
    waits_for: dict[str, set[str]] = {}
    needed_by: dict[str, list[str]] = {}
    for item in items:
        before = {
            name for kind, name in item.depends_on if kind == JOB and name in by_name and name != item.name
        }
        if before:
            waits_for[item.name] = before
            for other in before:
                needed_by.setdefault(other, []).append(item.name)
    ready = [name for name in by_name if name not in waits_for]
    heapq.heapify(ready)
    ordered: list[Item] = []
    remaining = set(by_name)
    while remaining:
        if not ready:  # only cycles left: let the first by name go
            heapq.heappush(ready, min(remaining))
        name = heapq.heappop(ready)
        if name not in remaining:
            continue
        remaining.discard(name)
        ordered.append(by_name[name])
        for other in needed_by.get(name, ()):
            waiting = waits_for[other]
            waiting.discard(name)
            if not waiting and other in remaining:
                heapq.heappush(ready, other)
    return ordered


def _references_check(
    *,
    items: list[Item],
    contents: Contents,
    uses: dict[tuple[str, str], Any],
    edges: Edges,
    existing: Existing,
    choices: ImportChoices,
    mapping: dict[tuple[str, str], str],
) -> None:
    """Fail objects whose references resolve to nothing now (deleted since the inspection, or never
    mapped), and note which package objects each depends on, so a failed dependency fails its users."""
    created_connections = {i.name for i in items if i.type == "connection" and i.outcome != FAILED}
    missing = missing_references(contents=contents, uses=uses, existing=existing)
    broken: dict[tuple[str, str], str] = {}
    for key, use in missing.items():
        if use.kind not in REQUIRED_KINDS or key in mapping or key in choices.unresolved:
            continue
        if use.kind == CONNECTION and use.name in created_connections:
            continue
        label = KIND_LABELS.get(use.kind, use.kind).lower()
        broken[key] = f"refers to {label} {use.name}, which does not exist here and has no replacement"
    for (kind, old), new in choices.mapping.items():
        used: Use | None = uses.get((kind, old))
        if not existing.has(kind, new, used.connection_type if used else None):
            broken[(kind, old)] = (
                f"the replacement {KIND_LABELS.get(kind, kind).lower()} {new} (for {old}) no longer exists"
            )
    # The reference kinds of package objects are named like their types: "script", "resource", "job".
    # The package's objects by (type, name): its resources, scripts and jobs are those of the kinds below.
    by_key = {item.key: item for item in items}

    def note(key: tuple[str, str], owner: tuple[str, str]) -> None:
        item = by_key.get(owner)
        if item is None:
            return
        kind, name = key
        if key in broken and item.outcome not in (FAILED, SKIPPED):
            item.fail(f"{owner[0].capitalize()} {owner[1]} {broken[key]}.")
        if key in choices.mapping:
            return
        if kind in (SCRIPT, RESOURCE, JOB) and key in by_key:
            item.depends(key)
        elif kind == CONNECTION and name in choices.create_connections:
            item.depends(("connection", name))

    for key, use in uses.items():
        for owner in use.objects:
            note(key, owner)
    for owner, keys in edges.items():
        for key in keys:
            note(key, owner)
