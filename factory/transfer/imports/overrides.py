"""Import, what an environment profile's choices add to the plan and the apply (``ImportChoices``'
``variables``, ``lock_policy``, ``release_locks`` and ``expression_time_zone``):

- the environment variables to set: each an item of the plan, created when the workspace has no variable
  of its name, overwritten when its value (or masking) differs, unchanged otherwise, so that the change-set
  and the report show it; written in the apply's transaction. A masked one is written masked (its value
  encrypted); a variable masked in the workspace stays masked whatever the choice says (an import never
  unmasks a secret). A package's own definition of the same name gives way to the override;
- the lock policy ``skip_locked``: a job or script locked by another user is skipped, the holder named,
  instead of its lock being taken;
- ``release_locks``: the locks the import took (on what it created, or took from another user) are
  released as soon as the batch is written, so that what the undo records is the released state;
- ``expression_time_zone``: every cron schedule of a job (the job's, and a real-time job's node triggers)
  gets that ``expressionTimeZone``, a rewrite of the document the change-set compares and shows;
- ``masked_public_params`` / ``masked_job_params``: the parameters set to a masked value are named in the
  job's ``maskedParams`` (``params_mask``), so that the change-set, the canvas and exports empty them and
  the job keeps their values encrypted, as for any masked parameter.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from factory.connections.environment import environment_variable_create, environment_variable_update
from factory.crypto import secret_decrypt
from factory.development.models import EnvironmentVariable, Job, Script
from factory.transfer.imports.choices import LOCK_SKIP_LOCKED, ImportChoices, VariableOverride
from factory.transfer.imports.items import CREATED, OVERWRITTEN, RENAMED, SKIPPED, UNCHANGED, Item
from factory.workspaces.models import Workspace

VARIABLE = "environment_variable"

# --- environment variables ---------------------------------------------------------------------------


def _current_value(row: EnvironmentVariable) -> str:
    if row.masked:
        return secret_decrypt(ciphertext=row.value_encrypted) if row.value_encrypted else ""
    return row.value


def variables_plan(items: list[Item], *, workspace: Workspace, choices: ImportChoices) -> list[Item]:
    """``items`` with the variables of ``choices`` planned in place of the package's definitions of the
    same names (after the other variables, before resources, scripts and jobs)."""
    if not choices.variables:
        return items
    names = {v.name for v in choices.variables}
    rows = {
        row.name: row
        for row in EnvironmentVariable.objects.filter(workspace=workspace, name__in=sorted(names))
    }
    planned: list[Item] = []
    for variable in choices.variables:
        row = rows.get(variable.name)
        item = Item(VARIABLE, variable.name, new_name=variable.name, source=variable, existing=row)
        masked = variable.masked or (row is not None and row.masked)
        shown = "a masked value" if masked else repr(variable.value)
        if row is None:
            item.outcome = CREATED
            item.message = f"Environment variable {variable.name} is created with {shown}."
        elif _current_value(row) == variable.value and row.masked == masked:
            item.outcome = UNCHANGED
            item.message = f"Environment variable {variable.name} already has this value: not written."
        else:
            item.outcome = OVERWRITTEN
            was = "a masked value" if row.masked else repr(row.value)
            item.message = f"Environment variable {variable.name} is set to {shown} (was {was})."
        item.detail["masked"] = masked
        planned.append(item)
    kept = [i for i in items if not (i.type == VARIABLE and i.name in names)]
    at = max((n for n, i in enumerate(kept) if i.type in ("connection", VARIABLE)), default=-1) + 1
    return kept[:at] + planned + kept[at:]


def is_variable_override(item: Item) -> bool:
    return item.type == VARIABLE and isinstance(item.source, VariableOverride)


def variable_write(item: Item, *, workspace: Workspace) -> None:
    """Write a planned override (created or overwritten); the item's message already says what."""
    variable = item.source
    assert isinstance(variable, VariableOverride)
    masked = bool(item.detail.get("masked"))
    row = item.existing
    if row is None:
        row = environment_variable_create(
            workspace=workspace, name=variable.name, value=variable.value, masked=masked
        )
    else:
        row = environment_variable_update(variable=row, value=variable.value, masked=masked)
    # The report says where it went; the undo reads the row it overwrote by it.
    item.detail["id"] = row.pk


# --- locks -------------------------------------------------------------------------------------------


def lock_skipped(item: Item, *, user: User, choices: ImportChoices) -> bool:
    """With ``skip_locked``, skip an existing job or script locked by another user (the holder named)."""
    obj = item.existing
    if choices.lock_policy != LOCK_SKIP_LOCKED or not isinstance(obj, (Job, Script)):
        return False
    if obj.lock_holder_id in (None, user.pk):
        return False
    holder = obj.lock_holder.get_username() if obj.lock_holder is not None else "another user"
    item.outcome, item.new_name = SKIPPED, item.name
    item.detail["lockHolder"] = holder
    item.message = f"{item.type.capitalize()} {item.name} is locked by {holder}; left untouched (lock policy skip_locked)."
    return True


def locks_release(items: list[Item], *, user: User) -> int:
    """Release the locks the import took on the written jobs or scripts of ``items`` (one type): those it
    created and those whose lock it took from someone else; a lock the user held before stays. One query."""
    taken = [
        i.detail["id"]
        for i in items
        if i.type in ("job", "script")
        and i.outcome in (CREATED, OVERWRITTEN, RENAMED)
        and "id" in i.detail
        # A renamed item is a new object (its ``existing`` is the one whose name it avoided).
        and (i.outcome != OVERWRITTEN or i.existing is None or i.existing.lock_holder_id != user.pk)
    ]
    if not taken:
        return 0
    model = Job if items[0].type == "job" else Script
    released = model.objects.filter(pk__in=taken, lock_holder=user).update(lock_holder=None, locked_at=None)
    for item in items:
        if item.detail.get("id") in taken:
            item.detail["lockReleased"] = True
    return released


# --- masked parameters -------------------------------------------------------------------------------


def params_mask(document: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """``document`` (a job, the caller's own top-level dict) with those of ``names`` it has as parameters
    added to its ``maskedParams`` (a new list; the document's own entries kept)."""
    params = document.get("params")
    if not names or not isinstance(params, list):
        return document
    listed = document.get("maskedParams", [])
    if not isinstance(listed, list):
        return document  # not a valid document: the writer's check names it
    present = {p.get("name") for p in params if isinstance(p, dict)}
    added = sorted(n for n in names if n in present and n not in listed)
    if added:
        document["maskedParams"] = [*listed, *added]
    return document


__all__ = [
    "is_variable_override",
    "lock_skipped",
    "locks_release",
    "params_mask",
    "variable_write",
    "variables_plan",
]
