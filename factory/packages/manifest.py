"""Our ``manifest.json``: streamed out by the writer, checked by the reader against what a package holds.

The manifest lists every entry with its sha256, so that a package damaged or edited after export is
noticed before anything in it is trusted: the reader reads the manifest first and compares each entry's
bytes as soon as they are read, before parsing them. Entries present but not listed are tolerated
(a user may add a script by hand); entries listed but missing or different are not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from factory.packages.entries import FORMAT_VERSION
from factory.packages.errors import PackageError
from factory.packages.jsonio import BOM, document_depth_check, document_dumps, unstorable_text_possible
from factory.packages.spool import ByteSpool

ManifestRow = tuple[str, str, int, str]
"""(path, sha256, size, kind): what the writer keeps per entry, as small as it can be."""
ROW_KEYS = ("path", "sha256", "size", "kind")


def _invalid(message: str, *, entry: str, field: str | None = None) -> PackageError:
    return PackageError(message, code="manifest.invalid", entry=entry, field=field)


Expected = dict[str, str | bytes]
"""Package-relative path -> the sha256 the manifest promises: its 32 bytes, or the manifest's text
(lower-cased) when that is not 64 hexadecimal digits (which no entry can then match)."""


def _digest(text: str) -> str | bytes:
    """A manifest's sha256 as kept: 32 bytes rather than the 64 characters (half the memory, for a
    hundred thousand entries), unless it is not a sha256 at all."""
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return text.lower()


def manifest_expected(*, document: Any, entry: str) -> Expected:
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
    expected: Expected = {}
    for index, row in enumerate(rows):
        if not (
            isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("sha256"), str)
        ):
            raise _invalid(
                "must be an object with a string path and sha256", entry=entry, field=f"entries[{index}]"
            )
        expected[row["path"]] = _digest(row["sha256"])
    if "references" in document and not isinstance(document["references"], list):
        raise _invalid("must be a list", entry=entry, field="references")
    return expected


class _NotPlain(Exception):
    """The manifest's text is not plainly one: :func:`manifest_expected_scan` leaves it to the parser."""


def _not_plain(_: object) -> Any:
    raise _NotPlain  # NaN, Infinity: the parser refuses them, and says where


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_constant=_not_plain)


def _space(text: str, at: int) -> int:
    """Where the JSON white space from ``at`` ends."""
    match = _SPACE.match(text, at)
    return match.end() if match is not None else at


def manifest_expected_scan(text: str, *, entry: str, max_depth: int) -> Expected | None:
    """What :func:`manifest_expected` gives for the manifest whose JSON text is ``text``, read a row of
    ``entries`` at a time instead of parsing the whole document: the manifest of a package of a hundred
    thousand entries is tens of megabytes of text and several times that as Python objects, the largest
    thing a package's reading would otherwise hold at once.

    ``None`` for anything that is not plainly a valid manifest (malformed JSON, a key given twice, a row
    or a field of another shape, a format version not read here, nesting near ``max_depth``): the caller
    then parses it whole and reports what is wrong exactly as before. So what this accepts, it reads as
    the parser and :func:`manifest_expected` would, and it never refuses anything itself."""
    try:
        return _scanned(text, entry=entry, max_depth=max_depth)
    except (_NotPlain, ValueError, PackageError, RecursionError, IndexError):
        return None


def _scanned(text: str, *, entry: str, max_depth: int) -> Expected:
    value_at, space = _DECODER.raw_decode, _space
    at = space(text, 0)
    if text[at] != "{":
        raise _NotPlain
    at = space(text, at + 1)
    keys: set[str] = set()
    expected: Expected = {}
    while text[at] != "}":
        if text[at] != '"':
            raise _NotPlain
        key, at = value_at(text, at)
        if key in keys:
            raise _NotPlain  # the parser keeps the last one: not worth mirroring
        keys.add(key)
        at = space(text, at)
        if text[at] != ":":
            raise _NotPlain
        at = space(text, at + 1)
        if key == "entries":
            at = _rows_scanned(text, at, expected=expected)
        else:
            value, at = value_at(text, at)
            if key == "formatVersion" and value is not None and value != FORMAT_VERSION:
                raise _NotPlain
            if key == "references" and not isinstance(value, list):
                raise _NotPlain
            document_depth_check(value, max_depth=max_depth - 1, entry=entry)
            del value
        at = space(text, at)
        if text[at] == ",":
            at = space(text, at + 1)
            if text[at] != '"':
                raise _NotPlain  # a trailing comma
        elif text[at] != "}":
            raise _NotPlain
    if space(text, at + 1) != len(text):
        raise _NotPlain  # text after the document
    return expected


def _rows_scanned(text: str, at: int, *, expected: Expected) -> int:
    """Read the ``entries`` array starting at ``at`` into ``expected``; where it ends."""
    value_at, space = _DECODER.raw_decode, _space
    if text[at] != "[":
        raise _NotPlain
    at = space(text, at + 1)
    if text[at] == "]":
        return at + 1
    while True:
        row, at = value_at(text, at)
        # A row of plain values (strings, numbers) as the writer makes them; anything else is parsed whole.
        if not (
            type(row) is dict
            and type(row.get("path")) is str
            and type(row.get("sha256")) is str
            and not any(type(value) in (dict, list) for value in row.values())
        ):
            raise _NotPlain
        expected[row["path"]] = _digest(row["sha256"])
        at = space(text, at)
        if text[at] == "]":
            return at + 1
        if text[at] != ",":
            raise _NotPlain
        at = space(text, at + 1)


def manifest_text(data: bytes) -> str | None:
    """The manifest's text for :func:`manifest_expected_scan`, or ``None`` when it is not UTF-8 or may
    hold text PostgreSQL cannot store (which the parser's path reports)."""
    if unstorable_text_possible(data):
        return None
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError:
        return None


def manifest_entry_check(*, expected: Expected, path: str, sha256: bytes, entry: str, manifest: str) -> None:
    """Compare one entry's digest with the manifest's, if the manifest lists it, and let the promise go
    (:func:`manifest_missing_check` then finds what is left of them)."""
    promised = expected.pop(path, None)
    if promised is not None and promised != sha256:
        raise PackageError(
            f"content does not match its sha256 in {manifest}: the package was changed after export",
            code="manifest.checksum",
            entry=entry,
        )


def manifest_missing_check(*, expected: Expected, manifest: str) -> None:
    """Every entry the manifest lists must have been found: ``expected`` holds what is left of its
    promises once :func:`manifest_entry_check` has let go of those of the entries found."""
    for path in sorted(expected):
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
        self._attached: list[ByteSpool] = []

    def append(self, row: ManifestRow) -> None:
        self._spool.write((b",\n" if self._count else b"") + _row_bytes(row))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def chunks(self) -> Iterator[bytes]:
        return self._spool.chunks()

    def attach(self, spool: ByteSpool) -> None:
        """Another spool of the manifest's, closed with this one."""
        self._attached.append(spool)

    def close(self) -> None:
        for spool in (self._spool, *self._attached):
            spool.close()


_NO_REFERENCES = b'\n  "references": [],'


def manifest_chunks(*, fields: dict[str, Any], rows: ManifestRows) -> Callable[[], Iterator[bytes]]:
    """``manifest.json`` as a re-startable stream of pieces, byte for byte what ``document_dumps``
    would give for ``{**fields, "entries": [...]}``.

    Serializing a 100,000-row manifest in one go builds millions of small strings at once (the
    indenting JSON encoder is pure Python); streaming it keeps the writer's peak memory flat.
    ``entries`` sorts first among the keys, so the rows come right after the opening brace.
    ``references`` may be an iterable other than a sequence (:func:`references_streamed`), read once now.
    """
    references = fields.get("references")
    streamed = references is not None and references_streamed(references)
    if not rows:
        if references is not None and streamed:
            fields = {**fields, "references": list(references)}
        whole = document_dumps({**fields, "entries": []})
        return lambda: iter((whole,))
    if any(key < "entries" for key in fields):
        raise ValueError(f"the manifest's entries must come first among its keys: {sorted(fields)}")
    tail = document_dumps({**fields, "references": []} if streamed else fields)[1:]
    # '\n  "exportedAt": ...\n}\n' without its opening brace; streamed references go where [] is.
    before, after = tail.split(_NO_REFERENCES, 1) if streamed else (tail, b"")
    listed = _references_spooled(references, rows) if streamed else None

    def pieces() -> Iterator[bytes]:
        yield b'{\n  "entries": [\n'
        yield from rows.chunks()
        yield b"\n  ]," + before
        if listed is not None:
            yield from listed.chunks()
            yield after

    return pieces


def references_streamed(references: Iterable[Any]) -> bool:
    """References given as an iterable other than a sequence are read as the manifest is written, into a
    temporary file, not held: they must come each once, in ``(type, name)`` order."""
    return not isinstance(references, Sequence)


def reference_check(ref: Any) -> None:
    if not (isinstance(ref, dict) and isinstance(ref.get("type"), str) and isinstance(ref.get("name"), str)):
        raise TypeError(f"a reference needs a string 'type' and 'name': {ref!r}")


def _references_spooled(references: Any, rows: ManifestRows) -> ByteSpool:
    """``"references": [...],`` as ``document_dumps`` indents it inside the manifest, written once into a
    spool closed with ``rows``. References given as an iterable rather than a list must come each once,
    in ``(type, name)`` order (as a list would have been sorted), and are checked as they are read."""
    spool = ByteSpool()
    rows.attach(spool)
    previous: tuple[str, str, bytes] | None = None
    for ref in references:
        reference_check(ref)
        dumped = document_dumps(ref)
        key = (ref["type"], ref["name"], dumped)
        if previous is not None and (key[:2] < previous[:2] or dumped == previous[2]):
            problem = "is given twice" if dumped == previous[2] else "comes out of (type, name) order"
            raise ValueError(f"the reference {ref!r} {problem}: give references once each, in order")
        lines = dumped.rstrip(b"\n").split(b"\n")
        spool.write(
            (b",\n" if previous else b'\n  "references": [\n') + b"\n".join(b"    " + line for line in lines)
        )
        previous = key
    spool.write(b"\n  ]," if previous else _NO_REFERENCES)
    return spool
