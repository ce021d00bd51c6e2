"""Export: jobs (with what they depend on) or scripts into a DataArts package, streamed or in the background.

The data flow, one query per kind of object whatever the number of jobs:

1. ``export_select`` (``export_selection``) resolves what was asked (ids, names, directories, the whole
   workspace, changed since a time) into primary keys, refusing bad input before anything large is read;
2. ``export_collect`` (``export_package``) reads the documents once to learn the called jobs (the closure
   of SubJob and For Each nodes), the scripts, resources, data connections and environment variables
   they need and the manifest's references, checking each document as the writer will;
3. ``export_stream`` (``export_package``) reads them again and hands them, redacted, to the package
   writer, which produces the zip as it goes: memory does not grow with the package;
4. ``export_start`` / ``export_run`` / ``export_write`` (``export_delivery``) send it to the browser, to
   the Download Center through a Celery task, to OBS, or to a file.

Secrets never leave: sensitive node properties and masked parameters are emptied, connection secrets are
never read. This module gathers the public names.
"""

from factory.transfer.services.export_delivery import (
    ExportStarted,
    ExportWritten,
    export_artifact_delete,
    export_obs_target,
    export_run,
    export_start,
    export_task_create,
    export_write,
)
from factory.transfer.services.export_package import (
    ExportContents,
    export_collect,
    export_stream,
    job_document_export,
)
from factory.transfer.services.export_selection import (
    CATEGORIES,
    DEVELOP,
    EXPORT_MAX_OBJECTS,
    JOBS_ONLY,
    SCOPES,
    STATUSES,
    SUBMIT,
    WITH_DEPENDENCIES,
    ExportRequest,
    ExportSelection,
    export_select,
)

__all__ = [
    "CATEGORIES",
    "DEVELOP",
    "EXPORT_MAX_OBJECTS",
    "JOBS_ONLY",
    "SCOPES",
    "STATUSES",
    "SUBMIT",
    "WITH_DEPENDENCIES",
    "ExportContents",
    "ExportRequest",
    "ExportSelection",
    "ExportStarted",
    "ExportWritten",
    "export_artifact_delete",
    "export_obs_target",
    "export_collect",
    "export_run",
    "export_select",
    "export_start",
    "export_stream",
    "export_task_create",
    "export_write",
    "job_document_export",
]
