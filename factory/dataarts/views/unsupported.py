"""The SDK's operations that need an execution engine: running jobs and scripts and their instances.

This console develops and moves jobs; it runs nothing. Those operations answer a DataArts-style error
saying so (after authentication, like every v1 call), and the instance list is honestly empty.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from factory.dataarts.errors import (
    JOB_INSTANCE_NOT_FOUND,
    NOT_SUPPORTED,
    SCRIPT_INSTANCE_NOT_FOUND,
    DataArtsError,
)
from factory.dataarts.views.base import DataArtsApi, paging_parse

NO_ENGINE = "this console develops, exports and imports jobs but has no execution engine"


class UnsupportedApi(DataArtsApi):
    """One view for every engine operation; ``as_view(error_code=..., error_msg=...)`` per route."""

    error_code: str = NOT_SUPPORTED
    error_msg: str = f"Not supported: {NO_ENGINE}."
    read_role = "viewer"
    write_role = "viewer"  # the answer is the same for every role; only authentication matters

    def _answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise DataArtsError(self.error_msg, error_code=self.error_code, status=400)

    get = post = put = delete = _answer


def unsupported(error_code: str, error_msg: str) -> type[UnsupportedApi]:
    """A subclass answering ``error_code``/``error_msg`` (for ``by_method``, which takes classes)."""
    return type("UnsupportedApi", (UnsupportedApi,), {"error_code": error_code, "error_msg": error_msg})


RunJobApi = unsupported(NOT_SUPPORTED, f"Running jobs is not supported: {NO_ENGINE}.")
ExecuteScriptApi = unsupported(NOT_SUPPORTED, f"Executing scripts is not supported: {NO_ENGINE}.")
JobInstanceApi = unsupported(JOB_INSTANCE_NOT_FOUND, f"The job instance does not exist: {NO_ENGINE}.")
ScriptInstanceApi = unsupported(
    SCRIPT_INSTANCE_NOT_FOUND, f"The script instance does not exist: {NO_ENGINE}."
)


class JobInstanceListApi(DataArtsApi):
    """``GET jobs/instances/detail``: no job ever runs here, so there are no instances."""

    def get(self, request: Request, **kwargs: Any) -> Response:
        paging_parse(request, default_limit=10, max_limit=100)
        return Response({"total": 0, "instances": []})
