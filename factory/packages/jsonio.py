"""The one JSON encoding of package documents, and a parser that says where malformed JSON breaks.

Writing: UTF-8, sorted keys, two-space indent, trailing newline, so that the same document always gives
the same bytes (deterministic packages diff and hash cleanly). Reading: UTF-8 with an optional BOM
(Windows editors add one), and errors that carry the line and column a user can jump to. A string
(key or value) holding U+0000 or an unpaired UTF-16 surrogate is refused too: both are legal JSON escapes,
but PostgreSQL cannot store them (``jsonb`` and ``text`` refuse NUL; a surrogate is not UTF-8), so a
document carrying one would pass inspection and fail only when the import writes it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from factory.packages.errors import PackageError

JsonPath = tuple[Any, str | int] | None
"""Where a value sits in a document, as a linked list ``(parent path, key or index)``, ``None`` for the
document itself: a walk extends it at no cost per level, and renders it (:func:`path_text`) only for an
error. (Building ``a.b[0].c`` strings eagerly costs the depth, or a long key, at every value.)"""

BOM = b"\xef\xbb\xbf"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""A character PostgreSQL cannot store: NUL, or a surrogate (only an unpaired one survives parsing)."""
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
"""How such a character appears in JSON text, parsed or written by :func:`document_dumps`: strict UTF-8
decoding yields no surrogate and JSON allows no raw control character in a string, so only a ``\\u``
escape can produce one, and ``document_dumps`` writes both as one. A cheap pre-filter (an escaped
backslash followed by ``u0000`` matches too; the walk decides)."""


def document_dumps(document: Any) -> bytes:
    """Serialize a document as packages store it.

    A lone surrogate (``"\\ud800"``, legal in a parsed JSON string but not encodable as UTF-8) is
    written back as the JSON escape it came from: ``backslashreplace`` yields exactly ``\\ud800``, and
    such characters can only occur inside string literals, so the output stays valid JSON and lossless.
    (The writer refuses documents holding one, as the reader does, see :func:`unstorable_text_check`;
    the manifest's fields and references are serialized here unchecked.)
    """
    try:
        # orjson writes what ``json.dumps(sort_keys=True, ensure_ascii=False, indent=2)`` writes, an order of
        # magnitude faster (the standard library's indenting encoder is pure Python). It writes NaN and
        # infinities as null where json refuses them, hence the check on what comes back.
        data = orjson.dumps(document, option=_ORJSON_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, an integer beyond 64 bits, ...
        data = None
    if data is None or (b"null" in data and _non_finite_in(document)):
        text = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
        return (text + "\n").encode("utf-8", "backslashreplace")
    return data + b"\n"


_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _non_finite_in(document: Any) -> bool:
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def document_loads(data: bytes, *, entry: str, text_check: bool = True) -> Any:
    """Parse one entry's bytes; raise ``json.malformed`` naming the entry (and the line and column, or
    the field whose text PostgreSQL cannot store) otherwise.

    ``text_check=False`` leaves out the last check, for a caller that validates the document first
    (a NUL in a job's name is better reported by the name rule) and then calls
    :func:`unstorable_text_check` itself, when :func:`unstorable_text_possible` says it may be needed.
    """
    data = data.removeprefix(BOM)
    suspect = text_check and unstorable_text_possible(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            code="json.malformed",
            entry=entry,
        ) from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise PackageError(
            f"malformed JSON: {exc.msg}",
            code="json.malformed",
            entry=entry,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise PackageError("malformed JSON: nested too deeply", code="json.malformed", entry=entry) from None
    except ValueError as exc:  # NaN/Infinity, or an integer with more digits than Python converts
        raise PackageError(f"malformed JSON: {exc}", code="json.malformed", entry=entry) from None
    if suspect:
        try:
            unstorable_text_check(document)
        except PackageError as exc:
            raise exc.in_entry(entry) from None
    return document


def unstorable_text_possible(data: bytes) -> bool:
    """May the JSON text ``data`` hold U+0000 or a lone surrogate? ``False`` means certainly not."""
    return _UNSTORABLE_ESCAPE.search(data) is not None


def unstorable_text_check(document: Any) -> None:
    """Raise ``json.malformed`` naming the JSON path of the first string (key or value, in document
    order) that holds U+0000 or an unpaired surrogate, which PostgreSQL cannot store.

    Iterative, so that a document nested as deeply as the parser allows cannot exhaust the stack.
    """
    stack: list[tuple[Any, JsonPath]] = [(document, None)]
    while stack:
        value, path = stack.pop()
        if path is not None and isinstance(path[1], str):
            _text_check(path[1], path=path, what="key")
        if isinstance(value, str):
            _text_check(value, path=path, what="value")
        elif isinstance(value, dict):
            stack.extend((item, (path, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((value[index], (path, index)) for index in range(len(value) - 1, -1, -1))


def _text_check(text: str, *, path: JsonPath, what: str) -> None:
    found = UNSTORABLE.search(text)
    if found is None:
        return
    point = ord(found.group())
    problem = "a NUL character" if point == 0 else "an unpaired surrogate"
    subject = "the key contains" if what == "key" else "contains"
    raise PackageError(
        f"{subject} {problem} (U+{point:04X}), which cannot be stored",
        code="json.malformed",
        field=path_text(path),
    )


def path_text(path: JsonPath) -> str | None:
    """``nodes[2].properties[0].value`` (``None`` for the document itself); characters that are not
    printable shown as escapes, so that a hostile key puts no raw control character in a message."""
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    text = ""
    for key in reversed(keys):
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            shown = "".join(ch if ch.isprintable() else _escape(ch) for ch in key)
            text = f"{text}.{shown}" if text else shown
    return text or None


def _escape(ch: str) -> str:
    point = ord(ch)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"
