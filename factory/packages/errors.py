"""The one exception the package code raises for bad input, with a stable machine code.

Everything that reads or validates a package (or a document the user edits in the console) reports
problems as :class:`PackageError`, so that callers need a single ``except`` and can show the user
exactly *which file* and *which field* is wrong. ``code`` is stable and documented in
``docs/package-format.md``; the frontend and the import wizard branch on it.
"""

from __future__ import annotations

from typing import Any


class PackageError(Exception):
    """A package, an entry of it, or a document is not acceptable.

    ``entry`` is the path inside the zip (``jobs/doc1.job``), ``field`` a JSON path inside the document
    (``nodes[2].preNodeName[0]``), ``line``/``column`` point into malformed JSON. Any of them may be
    ``None``: a document validated in the console has no entry, a broken zip has no field.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        entry: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.entry = entry
        self.field = field
        self.line = line
        self.column = column

    def __str__(self) -> str:
        """Where first, then what: ``jobs/doc1.job: nodes[2].preNodeName[0]: 'x' is not a node ...``."""
        parts: list[str] = []
        if self.entry:
            parts.append(self.entry)
        if self.line is not None:
            parts.append(f"line {self.line}, column {self.column}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def __repr__(self) -> str:
        return f"PackageError({str(self)!r}, code={self.code!r})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for API error envelopes: ``message`` is the full sentence a user reads."""
        return {
            "message": str(self),
            "code": self.code,
            "entry": self.entry,
            "field": self.field,
            "line": self.line,
            "column": self.column,
        }

    def in_entry(self, entry: str) -> PackageError:
        """Attach the zip entry the error came from (validators do not know it) and return ``self``."""
        if self.entry is None:
            self.entry = entry
        return self
