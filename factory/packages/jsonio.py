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


def document_loads(
    data: bytes,
    *,
    entry: str,
    text_check: bool = True,
    max_values: int | None = None,
    max_depth: int | None = None,
) -> Any:
    """Parse one entry's bytes; raise ``json.malformed`` naming the entry (and the line and column, or
    the field whose text PostgreSQL cannot store) otherwise.

    ``text_check=False`` leaves out the last check, for a caller that validates the document first
    (a NUL in a job's name is better reported by the name rule) and then calls
    :func:`unstorable_text_check` itself, when :func:`unstorable_text_possible` says it may be needed.

    ``max_values`` and ``max_depth`` (both or neither) bound what parsing may cost: text long enough to
    hold more values than allowed is scanned first (:func:`document_shape_check`) and refused unparsed;
    shorter text cannot hold more (each value takes a byte and a separator), so it is parsed and then
    its depth checked (:func:`document_depth_check`), which is cheaper than the scan.
    """
    data = data.removeprefix(BOM)
    depth_after: int | None = None  # the depth still to check once parsed
    if max_values is not None and max_depth is not None:
        if len(data) >= 2 * max_values:
            document_shape_check(data, max_values=max_values, max_depth=max_depth, entry=entry)
        else:
            depth_after = max_depth
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
        if max_depth is not None:
            raise _too_deep(max_depth, entry=entry) from None
        raise PackageError("malformed JSON: nested too deeply", code="json.malformed", entry=entry) from None
    except ValueError as exc:  # NaN/Infinity, or an integer with more digits than Python converts
        raise PackageError(f"malformed JSON: {exc}", code="json.malformed", entry=entry) from None
    if depth_after is not None:
        document_depth_check(document, max_depth=depth_after, entry=entry)
    if suspect:
        try:
            unstorable_text_check(document)
        except PackageError as exc:
            raise exc.in_entry(entry) from None
    return document


_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGITS = b"0" * 20
"""Twenty digits in a row (found by C code: every digit made ``0``, every other byte a space, then a
plain substring search): maybe an integer beyond 64 bits, which orjson parses as a float where ``json``
keeps it exact, or only part of a string or a long fraction; either way :func:`document_loads_checked`
lets ``json`` parse that text, so that it gives what :func:`document_loads` gives."""


def document_loads_checked(data: bytes, *, entry: str) -> Any:
    """Parse bytes that :func:`document_loads` already accepted (the same bytes, by their sha256): the
    same value, parsed by orjson, several times faster than ``json``. What orjson would parse differently
    (an integer beyond 64 bits) or not at all (a lone surrogate, ``1e400``, nesting beyond its limit)
    goes to :func:`document_loads` as before, checks left out."""
    data = data.removeprefix(BOM)
    if _LONG_DIGITS not in data.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return document_loads(data, entry=entry, text_check=False)


_SHAPE_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[{]|[\]}]|,', re.DOTALL)
"""A string literal (skipped whole, brackets and commas inside it included), an opening bracket, a
closing bracket or a comma. Possessive, so that a long string or an unterminated one costs one pass."""
_OPENING = frozenset(b"[{")
_CLOSING = frozenset(b"]}")
_COMMA = ord(",")


def document_shape_check(data: bytes, *, max_values: int, max_depth: int, entry: str) -> None:
    """Refuse JSON text nested deeper than ``max_depth`` (``json.malformed``, "nested too deeply") or
    holding more than ``max_values`` values (``json.too_many_values``), before it is parsed.

    Parsing builds every value at once, up to some 130 bytes each in Python: a few megabytes of small
    values cost gigabytes, and a document nested a thousand deep parses but exhausts the recursion of
    whatever walks it next. This scan builds nothing: a regular expression skips string literals whole
    and stops only at brackets and commas, which give the depth and the count (each comma and each
    non-empty array or object adds a value). On text that is not JSON the figures are approximate;
    the parser then says what is wrong, unless a limit was met first.
    """
    values = 1  # the document itself
    depth = 0
    opened_at = -1  # end of the opening bracket just seen: its first element is not counted yet
    for token in _SHAPE_TOKEN.finditer(data):
        start = token.start()
        first = data[start]
        if opened_at >= 0:
            # Anything but a closing bracket right after the opening one (``[]``, ``{ }``) is an element.
            if first not in _CLOSING or data[opened_at:start].strip():
                values += 1
            opened_at = -1
        if first in _OPENING:
            depth += 1
            if depth > max_depth:
                raise _too_deep(max_depth, entry=entry)
            opened_at = token.end()
        elif first in _CLOSING:
            depth -= 1
        elif first == _COMMA:
            values += 1
        if values > max_values:
            raise PackageError(
                f"holds more than {max_values} JSON values (objects, arrays, strings, numbers, booleans and "
                f"nulls); at most {max_values} are allowed",
                code="json.too_many_values",
                entry=entry,
            )


def document_depth_check(document: Any, *, max_depth: int, entry: str) -> None:
    """The depth rule of :func:`document_shape_check` on a parsed document, one level at a time (no
    recursion: it cannot exhaust the stack, and it costs less than the parse did)."""
    level = [document] if type(document) is dict or type(document) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise _too_deep(max_depth, entry=entry)
        below: list[Any] = []
        for value in level:
            items = value.values() if type(value) is dict else value
            below += [item for item in items if type(item) is dict or type(item) is list]
        level = below


def _too_deep(max_depth: int, *, entry: str) -> PackageError:
    return PackageError(
        f"is nested too deeply: arrays and objects more than {max_depth} levels deep; at most {max_depth} "
        "are allowed",
        code="json.malformed",
        entry=entry,
    )


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
