"""An import whose choices come with the package (the v1 API's one-call ``jobs/import``): they are kept in
the task row while the inspection runs, then applied by the second task of a Celery chain
(``import_inspect`` -> ``import_apply_stored``), with no polling in between.

The choices are given before anybody has seen the inspection, so they are fitted to it the way DataArts
treats them: a remap of a name the package does not use is ignored (the wizard would refuse it), and a
missing reference that can be left unresolved (a script, a cloud object such as a DLI queue) is left so,
as the wizard's "leave unresolved" does; a missing data connection, resource or sub-job still fails.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from factory.errors import DomainError
from factory.transfer.imports.apply import import_apply
from factory.transfer.imports.choices import ImportChoices, import_secrets_pack, import_secrets_unpack
from factory.transfer.imports.choose import import_choices_record
from factory.transfer.imports.common import STEP_INSPECT, STEP_INSPECTED, task_fail, task_user
from factory.transfer.lifecycle import FINISHED_STATUSES
from factory.transfer.models import SystemTask, TaskKind, TaskStatus

logger = logging.getLogger(__name__)

# The key of the task's params that keeps the choices until the inspection is done (named after the
# v1 API, the first to use it; rows in flight keep it).
STORED_CHOICES = "v1Choices"


def import_choices_store(*, task: SystemTask, choices: ImportChoices) -> None:
    """Keep ``choices`` in the task row until the inspection is done: the parameters by name in
    ``params`` and their values (masked ones among them) only encrypted, as the wizard's step 2 keeps
    them. Never in the Celery message, which sits in the broker in clear."""
    task.params = {**task.params, STORED_CHOICES: choices.to_params()}
    task.secrets_encrypted = import_secrets_pack(
        public_params=choices.public_params, job_params=choices.job_params, variables=choices.variables
    )
    task.save(update_fields=["params", "secrets_encrypted", "updated_at"])


def _stored(task: SystemTask) -> ImportChoices:
    """The choices ``import_choices_store`` kept, with their parameter values (rows stored before the
    choices were typed hold a subset of ``to_params``'s keys, which ``from_params`` reads the same)."""
    return ImportChoices.from_params(
        task.params.get(STORED_CHOICES) or {}, values=import_secrets_unpack(ciphertext=task.secrets_encrypted)
    )


def _fitted(inspection: dict[str, Any], choices: ImportChoices) -> ImportChoices:
    """``choices`` fitted to the inspection (see the module's docstring)."""
    referenced = {kind: set(names) for kind, names in (inspection.get("references") or {}).items()}
    mapping = {(k, n): r for (k, n), r in choices.mapping.items() if n in referenced.get(k, set())}
    unresolved = {(k, n) for k, n in choices.unresolved if n in referenced.get(k, set())}
    for group in inspection.get("missing") or []:
        if not group.get("canLeaveUnresolved"):
            continue
        for ref in group["references"]:
            if (group["kind"], ref["name"]) not in mapping:
                unresolved.add((group["kind"], ref["name"]))
    return replace(choices, mapping=mapping, unresolved=frozenset(unresolved))


def import_apply_stored(*, task_id: int) -> bool:
    """The chain's second task: once the package is inspected, record the stored choices and apply them.

    False when the inspection has not been done (nothing happens; the chain runs this only after it). Choices
    the inspection refuses (a missing reference nobody remapped, an unknown parameter) fail the task with
    the message naming them, as the wizard's Next button would show it. Safe to run again: the apply
    claims the task row first.
    """
    task = (
        SystemTask.objects.select_related("workspace", "created_by")
        .filter(pk=task_id, kind=TaskKind.IMPORT)
        .first()
    )
    if task is None or task.status in FINISHED_STATUSES:
        return True
    if task.step == STEP_INSPECT:
        # Only when this task ran without the inspection before it: the stale-task safety net ends it.
        logger.warning("Import %s: its stored choices wait for an inspection.", task.public_id)
        return False
    if task.status == TaskStatus.WAITING and task.step == STEP_INSPECTED:
        inspection = (task.result or {}).get("inspection") or {}
        try:
            import_choices_record(task=task, user=task_user(task), choices=_fitted(inspection, _stored(task)))
        except DomainError as exc:
            task_fail(task_id=task.pk, message=exc.message, code=exc.code, detail={"fields": exc.fields})
            return True
    import_apply(task_id=task_id)
    return True
