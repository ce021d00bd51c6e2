"""Console API routes of export and import. Export, tasks and the Download Center are declared here; the
import wizard's routes live in ``import_urls`` (kept apart so that both areas can grow without clashing)."""

from django.urls import include, path

from factory.api.transfer.downloads import DownloadDeleteApi, DownloadFileApi, DownloadListApi
from factory.api.transfer.exports import ExportCreateApi
from factory.api.transfer.history import ImportHistoryApi, ImportUndoApi
from factory.api.transfer.tasks import TaskDetailApi

app_name = "transfer"

urlpatterns = [
    path("workspaces/<str:workspace_id>/exports/", ExportCreateApi.as_view(), name="export-create"),
    path("workspaces/<str:workspace_id>/tasks/<str:task_id>/", TaskDetailApi.as_view(), name="task-detail"),
    path("workspaces/<str:workspace_id>/downloads/", DownloadListApi.as_view(), name="download-list"),
    path(
        "workspaces/<str:workspace_id>/downloads/<int:artifact_id>/",
        DownloadDeleteApi.as_view(),
        name="download-delete",
    ),
    path(
        "workspaces/<str:workspace_id>/downloads/<int:artifact_id>/file/",
        DownloadFileApi.as_view(),
        name="download-file",
    ),
    # Before the import wizard's routes, whose imports/<task_id>/ would take "history" for a task id.
    path("workspaces/<str:workspace_id>/imports/history/", ImportHistoryApi.as_view(), name="import-history"),
    path(
        "workspaces/<str:workspace_id>/imports/<str:task_id>/undo/",
        ImportUndoApi.as_view(),
        name="import-undo",
    ),
    path("", include("factory.api.transfer.import_urls")),
]
