"""Undo an import as a whole, and the import history. This is the package's one surface for the API, the
command, the apply and the benchmarks.

While an import applies, ``UndoRecorder`` (``record``: the apply's ``before_save`` hook) keeps every object
it overwrites as it was before (the document and the secrets' ciphertext as stored, directory, owner,
lock, schedule, submitted state) and what it left of every object it wrote or created, as ``UndoRecord``
rows of its task. Request side (above ``factory.transfer.tasks``): ``undo_target_get`` and
``import_undo_create`` (``start``: who may undo what; the undo's task row and its Celery task),
``import_undo_preview`` (``preview``: what the undo would do now) and ``import_history`` (``history``).
Worker side: ``import_undo`` (``run``), which walks the records (``walk``: ``decide`` what to do with each
object, ``usage`` what stays because it is used, ``write`` the writes) in one transaction and records its
own writes the same way, so that undoing an undo applies the import again.
"""

from factory.transfer.undo.history import import_history, undo_report
from factory.transfer.undo.preview import import_undo_preview, summary_line
from factory.transfer.undo.record import UndoRecorder
from factory.transfer.undo.run import import_undo
from factory.transfer.undo.start import (
    import_undo_create,
    stale_undos_fail,
    undo_refusal,
    undo_target_get,
)

__all__ = [
    "UndoRecorder",
    "import_history",
    "import_undo",
    "import_undo_create",
    "import_undo_preview",
    "stale_undos_fail",
    "summary_line",
    "undo_refusal",
    "undo_report",
    "undo_target_get",
]
