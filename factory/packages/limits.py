"""How much the reader accepts before it calls a package hostile.

DataArts refuses packages over 10 MB; ours are far more generous so that large workspaces can move
in one package, but every limit is finite so that a crafted zip cannot exhaust memory or disk.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


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
