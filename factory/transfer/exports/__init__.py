"""Export: jobs (with what they depend on) or scripts into a DataArts package, streamed or in the background.
This is the package's one surface for the API, the v1 API, the commands and the benchmarks.

The data flow, one query per kind of object whatever the number of jobs:

1. ``export_select`` (``selection``) resolves what was asked (ids, names, directories, the whole
   workspace, changed since a time) into primary keys, refusing bad input before anything large is read;
2. ``export_collect`` (``collect``) reads the documents once to learn the called jobs (the closure of
   SubJob and For Each nodes), the scripts, resources, data connections and environment variables they
   need and the manifest's references, checking each document as the writer will;
3. ``export_stream`` (``stream``) reads them again and hands them, redacted, to the package writer, which
   produces the zip as it goes: memory does not grow with the package;
4. on the request side, ``export_start`` (``start``) streams a small export to the browser or queues the
   ``export_run`` task (``tasks``) for the Download Center or OBS; ``export_write`` is the CLI's; in the
   worker, ``export_run`` (``run``) writes the package to storage or OBS.

Secrets never leave: sensitive node properties and masked parameters are emptied, connection secrets are
never read.
"""

from factory.transfer.exports.collect import export_collect
from factory.transfer.exports.contents import ExportContents, job_document_export
from factory.transfer.exports.run import export_run
from factory.transfer.exports.selection import (
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
from factory.transfer.exports.start import (
    ExportStarted,
    ExportWritten,
    export_artifact_delete,
    export_start,
    export_task_create,
    export_write,
)
from factory.transfer.exports.stream import export_stream
from factory.transfer.exports.target import export_obs_target

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
    "export_collect",
    "export_obs_target",
    "export_run",
    "export_select",
    "export_start",
    "export_stream",
    "export_task_create",
    "export_write",
    "job_document_export",
]
