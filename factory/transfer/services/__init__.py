"""Writes of the transfer area: export and import. Import from here:
``from factory.transfer.services import export_start``. One import line per module, each area its own."""

from factory.transfer.services.export import (  # noqa: F401
    EXPORT_MAX_OBJECTS,
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportContents,
    ExportRequest,
    ExportSelection,
    ExportStarted,
    ExportWritten,
    export_artifact_delete,
    export_collect,
    export_obs_target,
    export_run,
    export_select,
    export_start,
    export_stream,
    export_task_create,
    export_write,
    job_document_export,
)
from factory.transfer.services.imports import (  # noqa: F401
    ImportChoices,
    import_apply,
    import_apply_request,
    import_cancel,
    import_create,
    import_dry_run,
    import_inspect,
    import_report_get,
    import_run,
    import_task_get,
    package_inspect,
    stale_imports_fail,
)
