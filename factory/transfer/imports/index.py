"""What the inspection read of a package, kept for the preview: the package's index (its entries' names,
paths and sha256, ``factory.packages.read.package_index``) and, per job and script, what the preview
takes from its document (references, directory, whether it carries a secret value), so that the preview
opens the same file again without reading or checking a document for them.

Kept in a row of the import's task (``ImportPackageIndex``) with the package's sha256: it is derived from
those bytes alone, so it cannot go stale, and the preview uses it only for a file whose sha256 it has just
computed and found to be the one the inspection recorded. Without it (an inspection by an older version)
the preview reads the package as before. The rows of imports that are over are deleted by the next
inspection.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from factory.packages import Package
from factory.packages.read import INDEX_VERSION, package_index
from factory.transfer.imports.changes import carries_secret
from factory.transfer.models import ImportPackageIndex, TaskStatus

Objects = dict[tuple[str, str], list[Any]]
"""Per (``job`` | ``script``, name): ``[directory, carries a secret, references]``, the references
``(kind, name, connection type, script types)`` each (shared between the objects that make them)."""
# An import whose task is in none of these has no more preview to run.
KEPT_WHILE = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING)


class IndexWriter:
    """What the preview takes from each job and script (``Objects``), written as the inspection reads
    it: zlib-compressed JSON from the start, so that keeping it costs the inspection's memory next to
    nothing. ``references`` (a ``Keep``) is called with an object's references, then ``add`` with its
    document."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(1)
        self._chunks = [self._compressor.compress(b'{"objects":[')]
        self._references: list[int] = []
        # Each distinct reference once (a few thousand, however many objects use them): objects name
        # them by their place in this table.
        self._table: dict[tuple[Any, ...], int] = {}
        self._count = 0

    def references(self, owner: tuple[str, str], references: list[tuple[Any, ...]]) -> None:
        table = self._table
        self._references = [table.setdefault(ref, len(table)) for ref in references]

    def add(self, kind: str, name: str, document: Any) -> None:
        references, self._references = self._references, []
        if not isinstance(document, dict):
            return
        row = orjson.dumps(
            [kind, name, document.get("directory"), carries_secret(kind, document), references]
        )
        self._chunks.append(self._compressor.compress(b"," + row if self._count else row))
        self._count += 1

    def finish(self, package: dict[str, Any]) -> bytes:
        """The whole index: the objects added and ``package`` (``package_index``)."""
        tail = (
            b'],"references":'
            + orjson.dumps(list(self._table))
            + b',"package":'
            + orjson.dumps(package)
            + b"}"
        )
        return b"".join([*self._chunks, self._compressor.compress(tail), self._compressor.flush()])


def index_store(*, task_id: int, sha256: str, category: str, package: Package, kept: IndexWriter) -> None:
    """Keep ``package``'s index and what ``kept`` took from its documents for the previews of import
    ``task_id`` (those of imports that are over are deleted)."""
    ImportPackageIndex.objects.exclude(task__status__in=KEPT_WHILE).delete()
    index = package_index(package)
    if index is None:
        return
    ImportPackageIndex.objects.update_or_create(
        task_id=task_id, defaults={"sha256": sha256, "category": category, "data": kept.finish(index)}
    )


def index_load(*, task_id: int, sha256: str | None, category: str) -> tuple[dict[str, Any], Objects] | None:
    """The index and objects kept for import ``task_id`` if they are of the package ``sha256``."""
    if not sha256:
        return None
    blob = (
        ImportPackageIndex.objects.filter(task_id=task_id, sha256=sha256, category=category)
        .values_list("data", flat=True)
        .first()
    )
    if blob is None:
        return None
    data = orjson.loads(zlib.decompress(blob))
    if data["package"].get("version") != INDEX_VERSION:
        return None
    table = [tuple(reference) for reference in data.pop("references")]
    rows = data.pop("objects")
    objects: Objects = {}
    for kind, name, directory, secret, refs in rows:
        objects[(kind, name)] = [directory, secret, [table[i] for i in refs]]
    del rows
    return data["package"], objects
