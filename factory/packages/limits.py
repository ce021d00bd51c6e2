"""How much the reader accepts before it calls a package hostile.

DataArts refuses packages over 10 MB; ours are far more generous so that large workspaces can move
in one package, but every limit is finite so that a crafted zip cannot exhaust memory or disk.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
MANIFEST_BYTES_PER_ENTRY = 1 * KIB
"""What one entry's row may add to ``manifest.json`` (our rows are about 450 bytes with the longest names)."""


@dataclass(frozen=True)
class Limits:
    """Upper bounds applied by :func:`package_read` and by the document validators."""

    max_packed_bytes: int = 512 * MIB
    """Size of the .zip file itself."""
    max_unpacked_bytes: int = 2 * GIB
    """Sum of all entries' uncompressed sizes (declared and actually read)."""
    max_entries: int = 100_000
    """Number of entries in the central directory, directories included."""
    max_entry_bytes: int = 64 * MIB
    """Uncompressed size of any single entry."""
    max_document_bytes: int = 8 * MIB
    """Uncompressed size of a job, script, resource, connection or environment document, checked against
    the entry's header before it is read (and inflating stops at the declared size). A script's
    ``content`` may be 4 MiB (``max_script_content_bytes``): twice that leaves room for JSON escapes and
    the other fields. ``manifest.json`` lists every entry, so it may be larger: this plus
    ``MANIFEST_BYTES_PER_ENTRY`` per document of the package, within ``max_entry_bytes``."""
    max_json_values: int = 1_000_000
    """JSON values (objects, arrays, strings, numbers, booleans, nulls; keys not counted) in one document,
    counted by a scan of its bytes before it is parsed: a parsed value costs Python up to some 130 bytes,
    so this bounds what parsing one document can cost (~130 MiB) whatever its size. A job of 1000 nodes
    with their properties holds some 50,000; the manifest of a 100,000-entry package some 500,000."""
    max_json_depth: int = 64
    """Nesting of arrays and objects in one document, counted by the same scan. DataArts' documents nest
    5 or 6 levels (``nodes[0].properties[0].value``); a deeper one would exhaust the recursion of the
    code that walks documents."""
    max_ratio: int = 200
    """Uncompressed:compressed ratio allowed for entries bigger than ``ratio_threshold_bytes``."""
    ratio_threshold_bytes: int = 1 * MIB
    """Small entries compress well legitimately (JSON of zeros and spaces); only big ones are bombs."""
    max_nodes_per_job: int = 1000
    """DataArts recommends 200 nodes per job; we accept five times that."""
    max_script_content_bytes: int = 4 * MIB
    """DataArts' own limit on a script's ``content`` (UTF-8 bytes)."""
    max_name_length: int = 128
    """Job, script and node names (DataArts: 1-128 characters)."""


DEFAULT_LIMITS = Limits()
