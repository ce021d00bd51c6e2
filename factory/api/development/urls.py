"""Development URLs: the tree, directories, jobs, scripts, their versions, and the node-type registry."""

from types import ModuleType

from django.urls import URLPattern, include, path
from rest_framework.views import APIView

from factory.api.development import jobs, scripts, tree
from factory.routing import methods

app_name = "development"


def _object_urls(views: ModuleType, plural: str, word: str) -> list[URLPattern]:
    """The same URL set for jobs and scripts; ``views`` is the module binding the operations
    (``jobs.JobRenameApi``, ``scripts.ScriptRenameApi``, ...)."""

    def view(operation: str) -> type[APIView]:
        return getattr(views, f"{word.capitalize()}{operation}Api")

    detail = f"<int:{word}_id>/"
    return [
        path(f"{plural}/", methods(get=view("List"), post=view("Create")), name=f"{plural}"),
        path(
            f"{plural}/selection/count/", view("SelectionCount").as_view(), name=f"{plural}-selection-count"
        ),
        path(f"{plural}/unlock/", view("BatchUnlock").as_view(), name=f"{plural}-unlock"),
        path(f"{plural}/delete/", view("BatchDelete").as_view(), name=f"{plural}-delete"),
        path(f"{plural}/move/", view("BatchMove").as_view(), name=f"{plural}-move"),
        path(f"{plural}/owner/", view("BatchOwner").as_view(), name=f"{plural}-owner"),
        path(
            f"{plural}/{detail}",
            methods(get=view("Detail"), put=view("Save"), delete=view("Delete")),
            name=word,
        ),
        path(f"{plural}/{detail}submit/", view("Submit").as_view(), name=f"{word}-submit"),
        path(f"{plural}/{detail}rename/", view("Rename").as_view(), name=f"{word}-rename"),
        path(f"{plural}/{detail}move/", view("Move").as_view(), name=f"{word}-move"),
        path(f"{plural}/{detail}copy/", view("Copy").as_view(), name=f"{word}-copy"),
        path(f"{plural}/{detail}lock/", view("Lock").as_view(), name=f"{word}-lock"),
        path(f"{plural}/{detail}unlock/", view("Unlock").as_view(), name=f"{word}-unlock"),
        path(f"{plural}/{detail}versions/", view("VersionList").as_view(), name=f"{word}-versions"),
        path(
            f"{plural}/{detail}versions/<int:version_id>/",
            view("VersionDetail").as_view(),
            name=f"{word}-version",
        ),
        path(
            f"{plural}/{detail}versions/<int:version_id>/rollback/",
            view("Rollback").as_view(),
            name=f"{word}-rollback",
        ),
    ]


workspace_urls = [
    path("tree/", tree.TreeGetApi.as_view(), name="tree"),
    path("directories/", tree.DirectoryCreateApi.as_view(), name="directories"),
    path(
        "directories/<int:directory_id>/",
        methods(patch=tree.DirectoryUpdateApi, delete=tree.DirectoryDeleteApi),
        name="directory",
    ),
    *_object_urls(jobs, "jobs", "job"),
    path("jobs/<int:job_id>/schedule/start/", jobs.JobScheduleStartApi.as_view(), name="job-schedule-start"),
    path("jobs/<int:job_id>/schedule/stop/", jobs.JobScheduleStopApi.as_view(), name="job-schedule-stop"),
    *_object_urls(scripts, "scripts", "script"),
]

urlpatterns = [
    path("node-types/", tree.NodeTypeListApi.as_view(), name="node-types"),
    path("workspaces/<str:workspace_id>/", include(workspace_urls)),
]
