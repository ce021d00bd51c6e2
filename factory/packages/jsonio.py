"""The one JSON encoding of package documents, and a parser that says where malformed JSON breaks.

Writing: UTF-8, sorted keys, two-space indent, trailing newline, so that the same document always gives
the same bytes (deterministic packages diff and hash cleanly). Reading: UTF-8 with an optional BOM
(Windows editors add one), and errors that carry the line and column a user can jump to.
"""

from __future__ import annotations

import json
from typing import Any

from factory.packages.errors import PackageError

BOM = b"\xef\xbb\xbf"


def document_dumps(document: Any) -> bytes:
    """Serialize a document as packages store it.

    A lone surrogate (``"\\ud800"``, legal in a parsed JSON string but not encodable as UTF-8) is
    written back as the JSON escape it came from: ``backslashreplace`` yields exactly ``\\ud800``, and
    such characters can only occur inside string literals, so the output stays valid JSON and lossless.
    """
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8", "backslashreplace")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def document_loads(data: bytes, *, entry: str) -> Any:
    """Parse one entry's bytes; raise ``json.malformed`` naming the entry (and line/column) otherwise."""
    data = data.removeprefix(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            code="json.malformed",
            entry=entry,
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
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
