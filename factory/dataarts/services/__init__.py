"""The v1 API's writes. Import from here: ``from factory.dataarts.services import v1_job_create``."""

from factory.dataarts.services.objects import (
    v1_job_create,
    v1_job_update,
    v1_script_create,
    v1_script_update,
)
from factory.dataarts.services.transfer import (
    EXPORT_STATUSES,
    IMPORT_TARGET_STATUSES,
    SAME_NAME_POLICIES,
    V1Export,
    v1_import_choices,
    v1_import_start,
    v1_jobs_export,
    v1_system_task_get,
)

__all__ = [
    "EXPORT_STATUSES",
    "IMPORT_TARGET_STATUSES",
    "SAME_NAME_POLICIES",
    "V1Export",
    "v1_job_create",
    "v1_import_choices",
    "v1_import_start",
    "v1_job_update",
    "v1_jobs_export",
    "v1_script_create",
    "v1_script_update",
    "v1_system_task_get",
]
