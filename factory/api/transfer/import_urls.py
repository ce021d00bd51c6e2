"""Console API routes of the import wizard (owned by the import area), included by ``urls.py`` inside the
``transfer`` namespace: no ``app_name`` here."""

from django.urls import path

from factory.api.transfer.import_changes import ImportChangeDetailApi, ImportChangeListApi, ImportPreviewApi
from factory.api.transfer.imports import (
    ImportApplyApi,
    ImportCancelApi,
    ImportCreateApi,
    ImportDetailApi,
    ImportReportApi,
)
from factory.api.transfer.obs import ObsBrowseApi, ObsStatusApi

_TASK = "workspaces/<str:workspace_id>/imports/<str:task_id>/"

urlpatterns = [
    path("workspaces/<str:workspace_id>/obs/status/", ObsStatusApi.as_view(), name="obs-status"),
    path("workspaces/<str:workspace_id>/obs/browse/", ObsBrowseApi.as_view(), name="obs-browse"),
    path("workspaces/<str:workspace_id>/imports/", ImportCreateApi.as_view(), name="import-create"),
    path(_TASK, ImportDetailApi.as_view(), name="import-detail"),
    path(_TASK + "preview/", ImportPreviewApi.as_view(), name="import-preview"),
    path(_TASK + "changes/", ImportChangeListApi.as_view(), name="import-changes"),
    path(_TASK + "changes/<int:change_id>/", ImportChangeDetailApi.as_view(), name="import-change"),
    path(_TASK + "apply/", ImportApplyApi.as_view(), name="import-apply"),
    path(_TASK + "cancel/", ImportCancelApi.as_view(), name="import-cancel"),
    path(_TASK + "report.json", ImportReportApi.as_view(), name="import-report"),
]
