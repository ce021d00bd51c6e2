"""Which characters a name may hold, and which names may become a path inside a zip.

Names of jobs, scripts and resources become file names in a package, so the writer refuses anything
that could escape its folder; the document validators apply DataArts' own, stricter character rules.
DataArts also accepts Chinese names, so "letter" and "digit" mean Unicode ones (``str.isalnum``).
"""

from __future__ import annotations

import unicodedata

JOB_NAME_EXTRA = "-_."
"""Jobs, scripts, connections: letters, digits, '-', '_' and '.' (DataArts' rule for job names)."""
NODE_NAME_EXTRA = "-_./<>"
"""Nodes: DataArts' node reference also allows '/', '<' and '>'; node names never become paths."""
PARAM_NAME_EXTRA = "-_"
"""Job parameters, environment variables and resources: letters, digits, '-' and '_'."""


def _allowed_text(extra: str) -> str:
    quoted = ", ".join(repr(ch) for ch in extra)
    return f"letters, digits and {quoted}"


def name_problem(*, value: str, extra: str, max_length: int, min_length: int = 1) -> str | None:
    """Why ``value`` is not a valid name under the given rule, as a phrase, or ``None`` if it is valid."""
    if len(value) < min_length:
        return "must not be empty" if min_length == 1 else f"must be at least {min_length} characters long"
    if len(value) > max_length:
        return f"is {len(value)} characters long; at most {max_length} are allowed"
    if set(value) == {"."}:
        return "cannot be made of dots only"  # '.' and '..' would be path segments in a package
    for ch in value:
        if not (ch.isalnum() or ch in extra):
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            return f"contains {shown}; only {_allowed_text(extra)} are allowed"
    return None


def entry_name_check(*, name: str, kind: str) -> None:
    """Refuse a name that cannot safely be one path segment of a zip entry.

    The writer calls this for every object it places in a package. Names reach it from validated
    documents, so a failure is a programming error upstream: ``ValueError``, not ``PackageError``.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"{kind} name must be a non-empty string, got {name!r}")
    if name in (".", ".."):
        raise ValueError(f"{kind} name {name!r} cannot be a file name")
    for ch in name:
        if ch in "/\\" or unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError(f"{kind} name {name!r} contains {ch!r}, which cannot appear in a package path")
