"""Our ``manifest.json``: streamed out by the writer, checked by the reader against what a package holds.

The manifest lists every entry with its sha256, so that a package damaged or edited after export is
noticed before anything in it is trusted: the reader reads the manifest first and compares each entry's
bytes as soon as they are read, before parsing them. Entries present but not listed are tolerated
(a user may add a script by hand); entries listed but missing or different are not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from factory.packages.entries import FORMAT_VERSION
from factory.packages.errors import PackageError
from factory.packages.jsonio import document_dumps
from factory.packages.spool import ByteSpool

ManifestRow = tuple[str, str, int, str]
"""(path, sha256, size, kind): what the writer keeps per entry, as small as it can be."""
ROW_KEYS = ("path", "sha256", "size", "kind")


def _invalid(message: str, *, entry: str, field: str | None = None) -> PackageError:
    return PackageError(message, code="manifest.invalid", entry=entry, field=field)


def manifest_expected(*, document: Any, entry: str) -> dict[str, str]:
    """The package-relative path -> sha256 the manifest promises; refuse a malformed manifest."""
    if not isinstance(document, dict):
        raise _invalid("the manifest must be a JSON object", entry=entry)
    version = document.get("formatVersion")
    if version is not None and version != FORMAT_VERSION:
        raise PackageError(
            f"format version {version!r} is not supported (this installation reads version {FORMAT_VERSION})",
            code="manifest.unsupported_version",
            entry=entry,
            field="formatVersion",
        )
    rows = document.get("entries", [])
    if not isinstance(rows, list):
        raise _invalid("must be a list", entry=entry, field="entries")
    expected: dict[str, str] = {}
    for index, row in enumerate(rows):
        if not (
            isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("sha256"), str)
        ):
            raise _invalid(
                "must be an object with a string path and sha256", entry=entry, field=f"entries[{index}]"
            )
        expected[row["path"]] = row["sha256"].lower()
    if "references" in document and not isinstance(document["references"], list):
        raise _invalid("must be a list", entry=entry, field="references")
    return expected


def manifest_entry_check(
    *, expected: dict[str, str], path: str, sha256: str, entry: str, manifest: str
) -> None:
    """Compare one entry's digest with the manifest's, if the manifest lists it."""
    if path in expected and expected[path] != sha256:
        raise PackageError(
            f"content does not match its sha256 in {manifest}: the package was changed after export",
            code="manifest.checksum",
            entry=entry,
        )


def manifest_missing_check(*, expected: dict[str, str], seen: set[str], manifest: str) -> None:
    """Every entry the manifest lists must have been found."""
    for path in sorted(expected.keys() - seen):
        raise PackageError(
            f"is listed in {manifest} but missing from the package", code="manifest.missing_entry", entry=path
        )


def _row_bytes(row: ManifestRow) -> bytes:
    """One row exactly as the indenting encoder writes it inside ``entries``, built without it (speed)."""
    path, sha256, size, kind = row
    kind_json, path_json, sha_json = (json.dumps(value, ensure_ascii=False) for value in (kind, path, sha256))
    text = (
        f'    {{\n      "kind": {kind_json},\n      "path": {path_json},\n'
        f'      "sha256": {sha_json},\n      "size": {int(size)}\n    }}'
    )
    return text.encode("utf-8", "backslashreplace")


class ManifestRows:
    """The rows of ``entries`` as the writer collects them, one per member written, kept as the manifest
    will hold them (:func:`_row_bytes`, comma-separated) in a :class:`~factory.packages.spool.ByteSpool`:
    memory stays flat however many entries a package has. Closed by the writer."""

    def __init__(self) -> None:
        self._spool = ByteSpool()
        self._count = 0

    def append(self, row: ManifestRow) -> None:
        self._spool.write((b",\n" if self._count else b"") + _row_bytes(row))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def chunks(self) -> Iterator[bytes]:
        return self._spool.chunks()

    def close(self) -> None:
        self._spool.close()


_NO_REFERENCES = b'\n  "references": [],'


def manifest_chunks(*, fields: dict[str, Any], rows: ManifestRows) -> Callable[[], Iterator[bytes]]:
    """``manifest.json`` as a re-startable stream of pieces, byte for byte what ``document_dumps``
    would give for ``{**fields, "entries": [...]}``.

    Serializing a 100,000-row manifest in one go builds millions of small strings at once (the
    indenting JSON encoder is pure Python); streaming it keeps the writer's peak memory flat.
    ``entries`` sorts first among the keys, so the rows come right after the opening brace.
    ``references`` may be an iterable other than a list, read again for each stream (see the writer).
    """
    references = fields.get("references")
    if not rows:
        if references is not None and not isinstance(references, list):
            fields = {**fields, "references": list(references)}
        whole = document_dumps({**fields, "entries": []})
        return lambda: iter((whole,))
    if any(key < "entries" for key in fields):
        raise ValueError(f"the manifest's entries must come first among its keys: {sorted(fields)}")
    streamed = references is not None and not isinstance(references, list)
    tail = document_dumps({**fields, "references": []} if streamed else fields)[1:]
    # '\n  "exportedAt": ...\n}\n' without its opening brace; streamed references go where [] is.
    before, after = tail.split(_NO_REFERENCES, 1) if streamed else (tail, b"")

    def pieces() -> Iterator[bytes]:
        yield b'{\n  "entries": [\n'
        yield from rows.chunks()
        yield b"\n  ]," + before
        if streamed:
            assert references is not None
            yield from _references_chunks(references)
            yield after

    return pieces


def _references_chunks(references: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """``"references": [...],`` as ``document_dumps`` indents it inside the manifest."""
    opened = False
    for ref in references:
        lines = document_dumps(ref).rstrip(b"\n").split(b"\n")
        yield (b",\n" if opened else b'\n  "references": [\n') + b"\n".join(b"    " + line for line in lines)
        opened = True
    yield b"\n  ]," if opened else _NO_REFERENCES
