"""Development URLs: the tree, directories, jobs, scripts, their versions, and the node-type registry.

Jobs and scripts have the same URLs (``jobs/<job_id>/lock/``, ``scripts/<script_id>/lock/``...), written
out for each so that a view is found by its name here.
"""

from django.urls import include, path

from factory.api.development import diffs, jobs, scripts, tree
from factory.routing import methods

app_name = "development"

_JOB = "jobs/<int:job_id>/"
_JOB_VERSION = f"{_JOB}versions/<int:version_id>/"
_SCRIPT = "scripts/<int:script_id>/"
_SCRIPT_VERSION = f"{_SCRIPT}versions/<int:version_id>/"

job_urls = [
    path("jobs/", methods(get=jobs.JobListApi, post=jobs.JobCreateApi), name="jobs"),
    path("jobs/selection/count/", jobs.JobSelectionCountApi.as_view(), name="jobs-selection-count"),
    path("jobs/unlock/", jobs.JobBatchUnlockApi.as_view(), name="jobs-unlock"),
    path("jobs/delete/", jobs.JobBatchDeleteApi.as_view(), name="jobs-delete"),
    path("jobs/move/", jobs.JobBatchMoveApi.as_view(), name="jobs-move"),
    path("jobs/owner/", jobs.JobBatchOwnerApi.as_view(), name="jobs-owner"),
    path(_JOB, methods(get=jobs.JobDetailApi, put=jobs.JobSaveApi, delete=jobs.JobDeleteApi), name="job"),
    path(f"{_JOB}submit/", jobs.JobSubmitApi.as_view(), name="job-submit"),
    path(f"{_JOB}rename/", jobs.JobRenameApi.as_view(), name="job-rename"),
    path(f"{_JOB}move/", jobs.JobMoveApi.as_view(), name="job-move"),
    path(f"{_JOB}copy/", jobs.JobCopyApi.as_view(), name="job-copy"),
    path(f"{_JOB}lock/", jobs.JobLockApi.as_view(), name="job-lock"),
    path(f"{_JOB}unlock/", jobs.JobUnlockApi.as_view(), name="job-unlock"),
    path(f"{_JOB}versions/", jobs.JobVersionListApi.as_view(), name="job-versions"),
    path(f"{_JOB}versions/diff/", diffs.JobVersionsDiffApi.as_view(), name="job-versions-diff"),
    path(_JOB_VERSION, jobs.JobVersionDetailApi.as_view(), name="job-version"),
    path(f"{_JOB_VERSION}rollback/", jobs.JobRollbackApi.as_view(), name="job-rollback"),
    path(f"{_JOB}schedule/start/", jobs.JobScheduleStartApi.as_view(), name="job-schedule-start"),
    path(f"{_JOB}schedule/stop/", jobs.JobScheduleStopApi.as_view(), name="job-schedule-stop"),
]

script_urls = [
    path("scripts/", methods(get=scripts.ScriptListApi, post=scripts.ScriptCreateApi), name="scripts"),
    path(
        "scripts/selection/count/", scripts.ScriptSelectionCountApi.as_view(), name="scripts-selection-count"
    ),
    path("scripts/unlock/", scripts.ScriptBatchUnlockApi.as_view(), name="scripts-unlock"),
    path("scripts/delete/", scripts.ScriptBatchDeleteApi.as_view(), name="scripts-delete"),
    path("scripts/move/", scripts.ScriptBatchMoveApi.as_view(), name="scripts-move"),
    path("scripts/owner/", scripts.ScriptBatchOwnerApi.as_view(), name="scripts-owner"),
    path(
        _SCRIPT,
        methods(get=scripts.ScriptDetailApi, put=scripts.ScriptSaveApi, delete=scripts.ScriptDeleteApi),
        name="script",
    ),
    path(f"{_SCRIPT}submit/", scripts.ScriptSubmitApi.as_view(), name="script-submit"),
    path(f"{_SCRIPT}rename/", scripts.ScriptRenameApi.as_view(), name="script-rename"),
    path(f"{_SCRIPT}move/", scripts.ScriptMoveApi.as_view(), name="script-move"),
    path(f"{_SCRIPT}copy/", scripts.ScriptCopyApi.as_view(), name="script-copy"),
    path(f"{_SCRIPT}lock/", scripts.ScriptLockApi.as_view(), name="script-lock"),
    path(f"{_SCRIPT}unlock/", scripts.ScriptUnlockApi.as_view(), name="script-unlock"),
    path(f"{_SCRIPT}versions/", scripts.ScriptVersionListApi.as_view(), name="script-versions"),
    path(f"{_SCRIPT}versions/diff/", diffs.ScriptVersionsDiffApi.as_view(), name="script-versions-diff"),
    path(_SCRIPT_VERSION, scripts.ScriptVersionDetailApi.as_view(), name="script-version"),
    path(f"{_SCRIPT_VERSION}rollback/", scripts.ScriptRollbackApi.as_view(), name="script-rollback"),
]

workspace_urls = [
    path("tree/", tree.TreeGetApi.as_view(), name="tree"),
    path("directories/", tree.DirectoryCreateApi.as_view(), name="directories"),
    path(
        "directories/<int:directory_id>/",
        methods(patch=tree.DirectoryUpdateApi, delete=tree.DirectoryDeleteApi),
        name="directory",
    ),
    *job_urls,
    *script_urls,
]

urlpatterns = [
    path("node-types/", tree.NodeTypeListApi.as_view(), name="node-types"),
    path("workspaces/<str:workspace_id>/", include(workspace_urls)),
]
