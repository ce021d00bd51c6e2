"""The .zip package format alone: write (streaming, deterministic), read (safely), validate, redact.

Pure Python with no dependency on Django or on the rest of ``factory``, so that it can be tested and
fuzzed on its own. ``docs/package-format.md`` is the specification this package implements.
"""

from factory.packages.entries import (
    FORMAT_VERSION,
    ConnectionEntry,
    JobEntry,
    JobStatus,
    Layout,
    ManifestInfo,
    Package,
    PackageConnection,
    PackageEntry,
    PackageJob,
    PackageResource,
    PackageScript,
    ReadLayout,
    ResourceEntry,
    Scope,
    ScriptEntry,
)
from factory.packages.errors import PackageError
from factory.packages.limits import DEFAULT_LIMITS, Limits
from factory.packages.read import package_read
from factory.packages.redact import environment_redact, job_document_redact
from factory.packages.schema import (
    RESOURCE_TYPES,
    SCRIPT_TYPES,
    connection_document_validate,
    environment_document_validate,
    job_document_validate,
    job_node_names,
    resource_document_validate,
    script_document_validate,
)
from factory.packages.write import (
    PreparedJob,
    PreparedScript,
    job_entry_prepare,
    package_file_name,
    package_write,
    package_write_to,
    script_entry_prepare,
)

__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT_VERSION",
    "RESOURCE_TYPES",
    "SCRIPT_TYPES",
    "ConnectionEntry",
    "JobEntry",
    "JobStatus",
    "Layout",
    "Limits",
    "ManifestInfo",
    "Package",
    "PackageConnection",
    "PackageEntry",
    "PackageError",
    "PackageJob",
    "PackageResource",
    "PackageScript",
    "ReadLayout",
    "ResourceEntry",
    "Scope",
    "ScriptEntry",
    "connection_document_validate",
    "environment_document_validate",
    "environment_redact",
    "job_document_redact",
    "job_document_validate",
    "job_node_names",
    "package_file_name",
    "package_read",
    "package_write",
    "PreparedJob",
    "PreparedScript",
    "job_entry_prepare",
    "script_entry_prepare",
    "package_write_to",
    "resource_document_validate",
    "script_document_validate",
]
