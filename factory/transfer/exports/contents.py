"""Export: what pass 1 hands to pass 2 (``ExportContents``, the spools of prepared jobs) and how a
document enters a package (redacted, named, its references)."""

from __future__ import annotations

import tempfile
import weakref
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from factory.development.nodes import (
    CONNECTION,
    Reference,
    job_references,
    job_sensitive_properties_flag,
)
from factory.packages import (
    ConnectionEntry,
    PreparedJob,
    PreparedScript,
    ResourceEntry,
    ScriptEntry,
    job_document_redact,
)
from factory.packages.deflater import Deflater
from factory.packages.secrets import secret_name_like, text_secrets_redact
from factory.packages.write import GROUP_BYTES, GROUP_MEMBERS, deflate
from factory.transfer.exports.cache import EntryCache, Keep
from factory.transfer.exports.selection import (
    JOBS_ONLY,
)


@dataclass
class ExportContents:
    """What the first pass learnt: the jobs (or scripts) to write, by primary key (the selection plus the
    jobs it calls), the definitions of their dependencies, and the manifest's references."""

    pks: list[int]
    names: list[str]
    scripts: list[ScriptEntry | PreparedScript] = field(default_factory=list)
    resources: list[ResourceEntry] = field(default_factory=list)
    connections: list[ConnectionEntry] = field(default_factory=list)
    environment: list[dict[str, Any]] | None = None
    references: list[dict[str, Any]] = field(default_factory=list)
    # The scripts each job uses (by name), for the batch layout, which writes them beside it.
    job_scripts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spool: PreparedSpool | None = None  # the scripts
    job_spool: PreparedSpool | None = None

    @property
    def count(self) -> int:
        return len(self.pks)

    def close(self) -> None:
        for spool in (self.spool, self.job_spool):
            if spool is not None:
                spool.close()


class _Spool:
    """Byte strings kept in an anonymous temporary file (gone when closed or when the process ends), so
    that what an export's first pass hands to the second costs memory only an offset per entry."""

    def __init__(self, prefix: str) -> None:
        self._file = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115  # closed by close()
        # An export that never reaches pass 2 (refused, abandoned) closes its files when collected.
        weakref.finalize(self, self._file.close)
        self._end = 0

    def put(self, data: bytes) -> tuple[int, int]:
        self._file.seek(self._end)
        self._file.write(data)
        offset, self._end = self._end, self._end + len(data)
        return offset, len(data)

    def get(self, offset: int, size: int) -> bytes:
        self._file.seek(offset)
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


class PreparedSpool(_Spool):
    """Entries prepared for the package in pass 1 (checked and serialized by the writer's own
    ``*_entry_prepare``), kept on disk with their deflated bytes until pass 2 writes them: pass 2 then
    reads no document again, and memory holds only offsets.

    With a ``deflater`` the entries are deflated here, in groups, by the helper process while pass 1 reads
    and prepares the next ones: pass 1 is where the work is, and pass 2 then only copies bytes. With a
    ``cache``, what an entry added with ``keep`` becomes is also kept there for the next export, and
    entries kept by an earlier export come in already deflated (:meth:`add_deflated`)."""

    def __init__(self, prefix: str, deflater: Deflater | None, cache: EntryCache | None = None) -> None:
        super().__init__(prefix)
        # name, offset (-1: only the deflated bytes are here), size, deflated offset and size, extra, sha256
        self._index: list[tuple[str, int, int, int, int, Any, str | None]] = []
        self._deflater = deflater
        self.cache = cache
        self._pending: list[tuple[str, bytes, Any, Keep | None]] = []
        self._pending_bytes = 0
        self._sent: list[tuple[str, bytes, Any, Keep | None]] | None = None

    def add(self, name: str, data: bytes, extra: Any = None, keep: Keep | None = None) -> None:
        if self._deflater is None:
            self._put(name, data, b"", extra, keep)
            return
        self._pending.append((name, data, extra, keep))
        self._pending_bytes += len(data)
        if len(self._pending) >= GROUP_MEMBERS or self._pending_bytes >= GROUP_BYTES:
            self._swap(self._pending)
            self._pending, self._pending_bytes = [], 0

    def add_deflated(self, name: str, *, deflated: bytes, size: int, sha256: str, extra: Any = None) -> None:
        """An entry kept by an earlier export: its bytes are inflated again when pass 2 reads them."""
        deflated_offset, deflated_size = self.put(deflated)
        self._index.append((name, -1, size, deflated_offset, deflated_size, extra, sha256))

    def finish(self) -> None:
        """Deflate and store what is still pending."""
        if self._deflater is not None:
            self._swap(self._pending or None)
            self._swap(None)
            self._pending, self._pending_bytes = [], 0
        if self.cache is not None:
            self.cache.flush()

    def _swap(self, group: list[tuple[str, bytes, Any, Keep | None]] | None) -> None:
        """Store the group sent before with its deflated bytes, then send ``group`` (one in flight)."""
        assert self._deflater is not None
        if self._sent is not None:
            for (name, data, extra, keep), deflated in zip(self._sent, self._deflater.receive(), strict=True):
                self._put(name, data, deflated, extra, keep)
        if group is not None:
            self._deflater.send([data for _, data, _, _ in group])
        self._sent = group

    def _put(self, name: str, data: bytes, deflated: bytes, extra: Any, keep: Keep | None) -> None:
        if keep is not None and self.cache is not None:
            if not deflated:
                deflated = deflate(data)
            self.cache.keep(keep, data=data, deflated=deflated)
        offset, size = self.put(data)
        deflated_offset, deflated_size = self.put(deflated) if deflated else (0, 0)
        self._index.append((name, offset, size, deflated_offset, deflated_size, extra, None))

    def __len__(self) -> int:
        return len(self._index)

    def _read(
        self, offset: int, size: int, deflated_offset: int, deflated_size: int
    ) -> tuple[bytes, bytes | None]:
        deflated = self.get(deflated_offset, deflated_size) if deflated_size else None
        if offset < 0:  # kept by an earlier export: only the deflated bytes are here
            assert deflated is not None
            data = zlib.decompress(deflated, -zlib.MAX_WBITS)
            if len(data) != size:
                raise RuntimeError(f"a kept export entry inflates to {len(data)} bytes, not {size}")
            return data, deflated
        return self.get(offset, size), deflated

    def jobs(self) -> Iterator[PreparedJob]:
        """The jobs in name order (the order the writer requires), read back one at a time."""
        for name, offset, size, deflated_offset, deflated_size, scripts, sha256 in sorted(
            self._index, key=lambda item: item[0]
        ):
            data, deflated = self._read(offset, size, deflated_offset, deflated_size)
            yield PreparedJob(name=name, data=data, scripts=scripts, deflated=deflated, sha256=sha256)

    def scripts(self) -> list[PreparedScript]:
        """The scripts, each read back when the writer writes it."""
        return [
            PreparedScript(name, partial(self._read, offset, size, deflated_offset, deflated_size), sha256)
            for name, offset, size, deflated_offset, deflated_size, _, sha256 in self._index
        ]


# --- documents ---------------------------------------------------------------------------------------


def _named(document: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """A shallow copy of ``document`` carrying the object's current name (a submitted version keeps the
    name it had then; the package names files after the object as it is called now)."""
    named = dict(document or {})
    named["name"] = name
    return named


def job_document_export(*, document: dict[str, Any], scope: str, name: str | None = None) -> dict[str, Any]:
    """The job document as it enters a package: sensitive properties (flagged by the document or by the
    node-type registry) and masked parameters emptied, flags kept; "Export jobs only" further drops the
    scheduling and the parameters. Every other key, unknown ones included, is kept as it is."""
    redacted = job_document_redact(document=job_sensitive_properties_flag(document))
    if name is not None:
        redacted["name"] = name
    if scope == JOBS_ONLY:
        return {key: value for key, value in redacted.items() if key not in ("schedule", "params")}
    return redacted


def _job_references(*, document: dict[str, Any], scope: str) -> list[Reference]:
    """The references of a redacted document. Computed before "jobs only" drops the parameters (so that
    a parameter is not mistaken for an environment variable), without those of the dropped schedule."""
    refs = job_references(document)
    if scope == JOBS_ONLY:
        refs = [r for r in refs if not (r.property or "").startswith("schedule.")]
    return refs


def _reference_dict(kind: str, name: str, connection_type: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"type": kind, "name": name}
    if kind == CONNECTION:
        ref["connectionType"] = connection_type
    return ref


def _config_without_secrets(value: Any, secret_fields: set[str]) -> Any:
    """``config`` without any key that names a secret, and with the secret parts of its texts emptied (the
    password of a JDBC URL). Secrets live only in ``secrets_encrypted`` (never read here) and the
    connection services refuse both in ``config``; one that strayed in anyway (an older row, a direct
    database edit) is dropped rather than risk it leaving the installation."""
    if isinstance(value, dict):
        return {
            key: _config_without_secrets(item, secret_fields)
            for key, item in value.items()
            if not (key in secret_fields or secret_name_like(key))
        }
    if isinstance(value, list):
        return [_config_without_secrets(item, secret_fields) for item in value]
    if isinstance(value, str):
        return text_secrets_redact(value)
    return value
