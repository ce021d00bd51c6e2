"""Jobs: ``/v1/{project_id}/jobs`` list and create, ``jobs/{job_name}`` show, update and delete,
``jobs/{job_name}/start``, ``stop`` and ``status``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.dataarts.selectors import v1_job_downstream, v1_job_submitted_version, v1_jobs_list
from factory.dataarts.serializers import job_result_data, job_show_data, job_status_data
from factory.dataarts.services import v1_job_create, v1_job_update
from factory.dataarts.views.base import DataArtsApi, paging_parse, request_user
from factory.development.selectors import job_get
from factory.development.services import job_delete, job_schedule_start, job_schedule_stop

JOBS_DEFAULT_LIMIT = 10
JOBS_MAX_LIMIT = 100


class JobListApi(DataArtsApi):
    """``GET jobs`` -> ``{"total", "jobs": [JobResult]}``."""

    class FilterSerializer(serializers.Serializer):
        jobType = serializers.ChoiceField(choices=["BATCH", "REAL_TIME"], required=False)
        jobName = serializers.CharField(required=False, allow_blank=True, max_length=128)
        tags = serializers.CharField(required=False, allow_blank=True, max_length=1024)

    def get(self, request: Request, **kwargs: Any) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        offset, limit = paging_parse(request, default_limit=JOBS_DEFAULT_LIMIT, max_limit=JOBS_MAX_LIMIT)
        jobs = v1_jobs_list(
            workspace=self.workspace,
            job_type=filters.validated_data.get("jobType"),
            job_name=filters.validated_data.get("jobName"),
            tags=filters.validated_data.get("tags"),
        )
        page = jobs[offset : offset + limit]
        return Response({"total": jobs.count(), "jobs": [job_result_data(job) for job in page]})


class JobCreateApi(DataArtsApi):
    """``POST jobs`` with the job definition (``JobInfo``); 204 like DataArts."""

    def post(self, request: Request, **kwargs: Any) -> Response:
        v1_job_create(
            workspace=self.workspace, user=request_user(request), document=self.body_object(request)
        )
        return Response(status=204)


class JobShowApi(DataArtsApi):
    """``GET jobs/{job_name}`` -> ``ShowJobResponse``: the development state, or a submitted version
    (``version=N``, or ``getJobSubmitVersion=true`` for the latest); ``dependencies=true`` adds the
    jobs downstream of it."""

    class QuerySerializer(serializers.Serializer):
        version = serializers.IntegerField(required=False, min_value=1)
        dependencies = serializers.BooleanField(required=False, default=False)
        getJobSubmitVersion = serializers.BooleanField(required=False, default=False)

    def get(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        job = job_get(workspace=self.workspace, name=job_name)
        document, number = None, None
        if "version" in query.validated_data or query.validated_data["getJobSubmitVersion"]:
            version = v1_job_submitted_version(job=job, number=query.validated_data.get("version"))
            document, number = version.document, version.number
        downstream = v1_job_downstream(job=job) if query.validated_data["dependencies"] else None
        return Response(job_show_data(job, document=document, version=number, downstream=downstream))


class JobUpdateApi(DataArtsApi):
    """``PUT jobs/{job_name}`` with the whole definition: takes the lock, saves, submits; 204."""

    def put(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        job = job_get(workspace=self.workspace, name=job_name)
        v1_job_update(job=job, user=request_user(request), document=self.body_object(request))
        return Response(status=204)


class JobDeleteApi(DataArtsApi):
    """``DELETE jobs/{job_name}``; the body's review-mode ``approvers`` are ignored. 204."""

    def delete(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        job = job_get(workspace=self.workspace, name=job_name)
        job_delete(job=job, user=request_user(request))
        return Response(status=204)


class JobStartApi(DataArtsApi):
    """``POST jobs/{job_name}/start``: start scheduling the latest submitted version. 204."""

    def post(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        self.body_object(request)  # StartJobReq's jobParams apply to runs, which happen elsewhere
        job = job_get(workspace=self.workspace, name=job_name)
        job_schedule_start(job=job, user=request_user(request))
        return Response(status=204)


class JobStopApi(DataArtsApi):
    """``POST jobs/{job_name}/stop``: stop scheduling. 204."""

    def post(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        job = job_get(workspace=self.workspace, name=job_name)
        job_schedule_stop(job=job, user=request_user(request))
        return Response(status=204)


class JobStatusApi(DataArtsApi):
    """``GET jobs/{job_name}/status`` -> ``ShowJobStatusResponse``."""

    def get(self, request: Request, job_name: str, **kwargs: Any) -> Response:
        job = job_get(workspace=self.workspace, name=job_name)
        return Response(job_status_data(job))
