"""The DataArts Factory-compatible v1 API under ``/v1/{project_id}/``, path for path as
``huaweicloudsdkdgc.v1.DgcClient`` calls it (see docs/api.md for the operation table).

Paths shared by several operations go through ``by_method``. ``jobs/batch-export``, ``jobs/check-file``
and ``jobs/import`` are also job names as far as GET, PUT and DELETE are concerned, as in DataArts.
Anything else answers 404 ``APIGW.0101``.
"""

from django.urls import URLPattern, path, re_path
from rest_framework.views import APIView

from factory.dataarts.views import jobs, resources, scripts, transfer, unsupported
from factory.dataarts.views.base import ApiNotFound, by_method

app_name = "dataarts"

JOB_BY_NAME: dict[str, type[APIView]] = {
    "get": jobs.JobShowApi,
    "put": jobs.JobUpdateApi,
    "delete": jobs.JobDeleteApi,
}


def _job_path_also(route: str, name: str, **views: type[APIView]) -> URLPattern:
    """``jobs/<route>``: the POST operation, or the job of that name for GET, PUT and DELETE."""
    return path(
        f"<str:project_id>/jobs/{route}",
        by_method(**{**JOB_BY_NAME, **views}),
        {"job_name": route},
        name=name,
    )


urlpatterns = [
    # Jobs
    path("<str:project_id>/jobs", by_method(get=jobs.JobListApi, post=jobs.JobCreateApi), name="jobs"),
    path(
        "<str:project_id>/jobs/instances/detail",
        by_method(get=unsupported.JobInstanceListApi),
        name="job-instances",
    ),
    _job_path_also("batch-export", "jobs-batch-export", post=transfer.JobBatchExportApi),
    _job_path_also("check-file", "jobs-check-file", post=transfer.JobFileCheckApi),
    _job_path_also("import", "jobs-import", post=transfer.JobImportApi),
    path("<str:project_id>/jobs/<str:job_name>", by_method(**JOB_BY_NAME), name="job"),
    path(
        "<str:project_id>/jobs/<str:job_name>/export",
        by_method(post=transfer.JobExportApi),
        name="job-export",
    ),
    path("<str:project_id>/jobs/<str:job_name>/start", by_method(post=jobs.JobStartApi), name="job-start"),
    path("<str:project_id>/jobs/<str:job_name>/stop", by_method(post=jobs.JobStopApi), name="job-stop"),
    path("<str:project_id>/jobs/<str:job_name>/status", by_method(get=jobs.JobStatusApi), name="job-status"),
    path(
        "<str:project_id>/jobs/<str:job_name>/run-immediate",
        by_method(post=unsupported.RunJobApi),
        name="job-run",
    ),
    path(
        "<str:project_id>/jobs/<str:job_name>/instances/<str:instance_id>",
        by_method(get=unsupported.JobInstanceApi),
        name="job-instance",
    ),
    path(
        "<str:project_id>/jobs/<str:job_name>/instances/<str:instance_id>/stop",
        by_method(post=unsupported.JobInstanceApi),
        name="job-instance-stop",
    ),
    path(
        "<str:project_id>/jobs/<str:job_name>/instances/<str:instance_id>/restart",
        by_method(post=unsupported.JobInstanceApi),
        name="job-instance-restart",
    ),
    # Scripts
    path(
        "<str:project_id>/scripts",
        by_method(get=scripts.ScriptListApi, post=scripts.ScriptCreateApi),
        name="scripts",
    ),
    path(
        "<str:project_id>/scripts/<str:script_name>",
        by_method(get=scripts.ScriptShowApi, put=scripts.ScriptUpdateApi, delete=scripts.ScriptDeleteApi),
        name="script",
    ),
    path(
        "<str:project_id>/scripts/<str:script_name>/execute",
        by_method(post=unsupported.ExecuteScriptApi),
        name="script-execute",
    ),
    path(
        "<str:project_id>/scripts/<str:script_name>/instances/<str:instance_id>",
        by_method(get=unsupported.ScriptInstanceApi),
        name="script-instance",
    ),
    path(
        "<str:project_id>/scripts/<str:script_name>/instances/<str:instance_id>/stop",
        by_method(post=unsupported.ScriptInstanceApi),
        name="script-instance-stop",
    ),
    # Tasks
    path(
        "<str:project_id>/system-tasks/<str:task_id>",
        by_method(get=transfer.SystemTaskShowApi),
        name="system-task",
    ),
    # Resources
    path(
        "<str:project_id>/resources",
        by_method(get=resources.ResourceListApi, post=resources.ResourceCreateApi),
        name="resources",
    ),
    path(
        "<str:project_id>/resources/<str:resource_id>",
        by_method(
            get=resources.ResourceShowApi, put=resources.ResourceUpdateApi, delete=resources.ResourceDeleteApi
        ),
        name="resource",
    ),
    re_path(r"^.*$", ApiNotFound.as_view(), name="not-found"),
]
