"""Pure validation of the documents a package carries, shared by the reader and the console's services.

Each ``*_document_validate`` raises :class:`~factory.packages.errors.PackageError` with a ``schema.*``
code and the JSON path of the offending field, at the first problem found.
"""

from factory.packages.redact import job_document_redact
from factory.packages.schema.job import find_cycle, job_document_validate, job_node_names
from factory.packages.schema.objects import (
    RESOURCE_TYPES,
    SCRIPT_TYPES,
    connection_document_validate,
    environment_document_validate,
    resource_document_validate,
    script_document_validate,
)

__all__ = [
    "RESOURCE_TYPES",
    "SCRIPT_TYPES",
    "connection_document_validate",
    "environment_document_validate",
    "find_cycle",
    "job_document_redact",
    "job_document_validate",
    "job_node_names",
    "resource_document_validate",
    "script_document_validate",
]
