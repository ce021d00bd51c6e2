"""Export, pass 0: what was asked (``ExportRequest``), resolved and checked into an ``ExportSelection``.

One query for the selected objects' names (two with directories, selected and excluded alike), before
anything large is read; unknown ids, names or directories, empty selections, more than 10,000 objects,
objects never submitted and bad OBS paths are refused here, each with a message naming the culprits.
Exclusions (``exclude*Ids``: what the user unticked inside a ticked directory) are part of that one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from factory.development.models import Category
from factory.development.selectors.selection import jobs_using_changed, selection_where
from factory.errors import ErrorCode, NotFound, ValidationError
from factory.obs import ObsError, ObsPath, obs_configured
from factory.packages import Layout, package_file_name
from factory.transfer import selectors
from factory.workspaces.models import Workspace
from factory.workspaces.obs import workspace_obs_path

JOBS_ONLY = "jobs_only"
WITH_DEPENDENCIES = "with_dependencies"
SCOPES = (JOBS_ONLY, WITH_DEPENDENCIES)
DEVELOP = selectors.DEVELOP
SUBMIT = selectors.SUBMIT
STATUSES = (DEVELOP, SUBMIT)
CATEGORIES = (Category.JOB.value, Category.SCRIPT.value)

# DataArts: "A maximum of 10,000 jobs can be exported" (Export Workspace Job / Script).
EXPORT_MAX_OBJECTS: int = settings.EXPORT_MAX_OBJECTS
_NAMES_SHOWN = 20


@dataclass(frozen=True)
class ExportRequest:
    """What a user asked to export, as the API, the CLI and a background task's params all carry it."""

    category: str = Category.JOB.value
    job_ids: tuple[int, ...] = ()
    job_names: tuple[str, ...] = ()
    script_ids: tuple[int, ...] = ()
    script_names: tuple[str, ...] = ()
    directory_ids: tuple[int, ...] = ()
    directory_paths: tuple[str, ...] = ()
    # Unticked inside what is ticked (the tree's check boxes): dropped from the selected directories.
    exclude_job_ids: tuple[int, ...] = ()
    exclude_script_ids: tuple[int, ...] = ()
    exclude_directory_ids: tuple[int, ...] = ()
    everything: bool = False
    # Only the jobs changed after this time (DataArts' "Export Workspace Job"). With
    # ``changed_with_dependencies`` and ``scope`` WITH_DEPENDENCIES a job whose script or resource changed
    # counts as changed too (its package does): what a promotion of "everything changed since" needs.
    changed_since: datetime | None = None
    changed_with_dependencies: bool = False
    scope: str = JOBS_ONLY
    status: str = DEVELOP
    obs_path: str = ""
    # An export to OBS refuses to replace an object of the same name unless this is set.
    obs_overwrite: bool = False

    def to_params(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "jobIds": list(self.job_ids),
            "jobNames": list(self.job_names),
            "scriptIds": list(self.script_ids),
            "scriptNames": list(self.script_names),
            "directoryIds": list(self.directory_ids),
            "directoryPaths": list(self.directory_paths),
            "excludeJobIds": list(self.exclude_job_ids),
            "excludeScriptIds": list(self.exclude_script_ids),
            "excludeDirectoryIds": list(self.exclude_directory_ids),
            "all": self.everything,
            "changedSince": self.changed_since.isoformat() if self.changed_since else None,
            "changedWithDependencies": self.changed_with_dependencies,
            "scope": self.scope,
            "status": self.status,
            "obsPath": self.obs_path,
            "obsOverwrite": self.obs_overwrite,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ExportRequest:
        since = params.get("changedSince")
        return cls(
            category=params.get("category", Category.JOB.value),
            job_ids=tuple(params.get("jobIds") or ()),
            job_names=tuple(params.get("jobNames") or ()),
            script_ids=tuple(params.get("scriptIds") or ()),
            script_names=tuple(params.get("scriptNames") or ()),
            directory_ids=tuple(params.get("directoryIds") or ()),
            directory_paths=tuple(params.get("directoryPaths") or ()),
            exclude_job_ids=tuple(params.get("excludeJobIds") or ()),
            exclude_script_ids=tuple(params.get("excludeScriptIds") or ()),
            exclude_directory_ids=tuple(params.get("excludeDirectoryIds") or ()),
            everything=bool(params.get("all")),
            changed_since=parse_datetime(since) if since else None,
            changed_with_dependencies=bool(params.get("changedWithDependencies")),
            scope=params.get("scope", JOBS_ONLY),
            status=params.get("status", DEVELOP),
            obs_path=params.get("obsPath") or "",
            obs_overwrite=bool(params.get("obsOverwrite")),
        )


@dataclass(frozen=True)
class ExportSelection:
    """A validated selection: the jobs (or scripts) picked, by name, and where the package goes."""

    workspace: Workspace
    request: ExportRequest
    pks: tuple[int, ...]
    names: tuple[str, ...]
    file_name: str
    layout: Layout
    obs_path: ObsPath | None  # the folder the package is written into, as ``<folder>/<file_name>``

    @property
    def category(self) -> str:
        return self.request.category

    @property
    def obs_target(self) -> ObsPath | None:
        """The object an export to OBS writes: DataArts' file name in the chosen folder."""
        return self.obs_path.child(self.file_name) if self.obs_path is not None else None

    @property
    def noun(self) -> str:
        return "script" if self.category == Category.SCRIPT else "job"


def names_text(names: Iterable[Any]) -> str:
    shown = [str(n) for n in names]
    if len(shown) > _NAMES_SHOWN:
        return ", ".join(shown[:_NAMES_SHOWN]) + f" and {len(shown) - _NAMES_SHOWN} more"
    return ", ".join(shown)


# --- pass 0: the selection ---------------------------------------------------------------------------


def _request_check(request: ExportRequest) -> None:
    problems = {}
    if request.category not in CATEGORIES:
        problems["category"] = f"must be one of {', '.join(CATEGORIES)}"
    if request.scope not in SCOPES:
        problems["scope"] = f"must be one of {', '.join(SCOPES)}"
    if request.status not in STATUSES:
        problems["status"] = f"must be one of {', '.join(STATUSES)}"
    if problems:
        key, text = next(iter(problems.items()))
        raise ValidationError(
            f"{key}: {text}.", code=ErrorCode.INVALID, fields={k: [v] for k, v in problems.items()}
        )


def _directory_paths(*, workspace: Workspace, request: ExportRequest) -> tuple[list[str], bool, list[str]]:
    """The paths of the selected directories, whether the root ("/", everything) was selected, and the
    paths of the excluded directories. Selected and excluded ids are read in one query; excluded ids that
    do not exist (any more) exclude nothing and are ignored."""
    category = request.category
    by_id = selectors.export_directories_get(
        workspace=workspace,
        category=category,
        directory_ids={*request.directory_ids, *request.exclude_directory_ids},
    )
    missing_ids = sorted(set(request.directory_ids) - set(by_id))
    if missing_ids:
        raise NotFound(
            f"Directories not found: {names_text(missing_ids)}.",
            code=ErrorCode.DIRECTORY_NOT_FOUND,
            fields={"directoryIds": [str(i) for i in missing_ids]},
        )
    paths = [by_id[i] for i in dict.fromkeys(request.directory_ids)]
    excluded = [by_id[i] for i in dict.fromkeys(request.exclude_directory_ids) if i in by_id]
    root = False
    wanted = {}
    for raw in request.directory_paths:
        path = "/" + str(raw).strip().strip("/")
        if path == "/":
            root = True
        else:
            wanted[path] = raw
    if wanted:
        found = selectors.export_directories_by_paths(workspace=workspace, category=category, paths=wanted)
        missing = sorted(set(wanted) - found)
        if missing:
            raise NotFound(
                f"Directories not found: {names_text(missing)}.",
                code=ErrorCode.DIRECTORY_NOT_FOUND,
                fields={"directory": missing},
            )
        paths.extend(sorted(found))
    return paths, root, excluded


def _exclusions_check(request: ExportRequest, *, ids: tuple[int, ...], exclude_ids: tuple[int, ...]) -> None:
    """An object or directory both picked and excluded is a contradiction, not a choice to guess at."""
    noun = "script" if request.category == Category.SCRIPT else "job"
    both = sorted(set(ids) & set(exclude_ids))
    if both:
        raise ValidationError(
            f"{noun.capitalize()}s both selected and excluded: {names_text(f'#{i}' for i in both)}.",
            code=ErrorCode.EXPORT_CONFLICT,
            fields={f"exclude{noun.capitalize()}Ids": [str(i) for i in both]},
        )
    dirs = sorted(set(request.directory_ids) & set(request.exclude_directory_ids))
    if dirs:
        raise ValidationError(
            f"Directories both selected and excluded: {names_text(f'#{i}' for i in dirs)}.",
            code=ErrorCode.EXPORT_CONFLICT,
            fields={"excludeDirectoryIds": [str(i) for i in dirs]},
        )


def _obs_folder(*, workspace: Workspace, value: str) -> ObsPath:
    """The OBS folder an export goes to, allowed by the workspace's OBS allow-list. The package is always
    written as ``<folder>/<DataArts file name>`` (DataArts asks for a folder too), so a user path can never
    name another object to replace; a path naming a ``.zip`` is refused rather than guessed at."""
    path = workspace_obs_path(workspace=workspace, value=value)
    if not path.is_prefix:
        if path.key.lower().endswith(".zip"):
            raise ObsError(
                f"{path} names a file; give the OBS folder to export to (the package is written into it "
                "under its DataArts name, such as DLF_<job>.zip or jobs.zip).",
                code=ErrorCode.OBS_PATH_INVALID,
                fields={"obsPath": ["Give a folder, such as obs://bucket/folder/."]},
            )
        path = ObsPath(path.bucket, path.key + "/")
    return path


def export_select(*, workspace: Workspace, request: ExportRequest) -> ExportSelection:
    """Resolve and check what was asked, before anything large is read.

    Refuses, each with a message naming the culprits: unknown ids, names or directories (objects of other
    workspaces are as unknown as missing ones), an empty selection, more than 10,000 objects, objects
    never submitted when the submitted versions are asked for, and an OBS path that is not
    ``obs://bucket/...`` (or OBS not being configured at all).
    """
    _request_check(request)
    is_script = request.category == Category.SCRIPT
    noun = "script" if is_script else "job"
    ids = request.script_ids if is_script else request.job_ids
    names = request.script_names if is_script else request.job_names
    exclude_ids = request.exclude_script_ids if is_script else request.exclude_job_ids
    _exclusions_check(request, ids=ids, exclude_ids=exclude_ids)

    obs_path = None
    if request.obs_path:
        obs_path = _obs_folder(workspace=workspace, value=request.obs_path)
        if not obs_configured():
            raise ObsError(
                f"Cannot export to {request.obs_path}: OBS is not configured on this server.",
                code=ErrorCode.OBS_UNAVAILABLE,
            )

    directory_paths, root, excluded_paths = _directory_paths(workspace=workspace, request=request)
    everything = request.everything or root
    picked = bool(ids or names or directory_paths)
    if not (everything or picked or request.changed_since):
        raise ValidationError(
            f"Nothing to export: select {noun}s, directories or the whole workspace.",
            code=ErrorCode.EXPORT_EMPTY,
        )
    if not picked and request.changed_since:
        everything = True  # "Export Workspace Job": everything that changed since the time

    # Ids and names are checked for existence whatever the time filter, which is then applied here. Asked
    # so, with its dependencies a job whose script or resource changed is changed too (its package is).
    since_in_sql = request.changed_since if not (ids or names) else None
    changed_ids: set[int] = set()
    if (
        request.changed_since
        and request.changed_with_dependencies
        and not is_script
        and request.scope == WITH_DEPENDENCIES
    ):
        changed_ids = jobs_using_changed(workspace=workspace, since=request.changed_since)
    where = selection_where(
        ids=ids,
        names=names,
        directory_paths=directory_paths,
        everything=everything,
        changed_since=since_in_sql,
        changed_ids=changed_ids,
        exclude_ids=exclude_ids,
        exclude_directory_paths=excluded_paths,
    )
    rows = selectors.export_selection_list(
        workspace=workspace, category=request.category, where=where, status=request.status
    )
    found_ids = {row.pk for row in rows}
    found_names = {row.name for row in rows}
    unknown = [f"#{i}" for i in sorted(set(ids) - found_ids)] + sorted(set(names) - found_names)
    if unknown:
        raise NotFound(
            f"{noun.capitalize()}s not found in workspace {workspace.name}: {names_text(unknown)}.",
            code=ErrorCode.SCRIPT_NOT_FOUND if is_script else ErrorCode.JOB_NOT_FOUND,
            fields={f"{noun}s": unknown},
        )
    if request.changed_since and not since_in_sql:
        rows = [row for row in rows if row.updated_at > request.changed_since or row.pk in changed_ids]
    if not rows:
        where_text = "in the selected directories" if directory_paths else "in the workspace"
        if request.changed_since:
            where_text += f" changed since {request.changed_since.isoformat()}"
        raise ValidationError(
            f"Nothing to export: there is no {noun} {where_text}.", code=ErrorCode.EXPORT_EMPTY
        )
    if len(rows) > EXPORT_MAX_OBJECTS:
        raise ValidationError(
            f"This export selects {len(rows)} {noun}s; at most {EXPORT_MAX_OBJECTS} can be exported at once.",
            code=ErrorCode.EXPORT_TOO_LARGE,
        )
    never = [row.name for row in rows if not row.submitted]
    if never:
        raise ValidationError(
            f"These {noun}s have never been submitted, so there is no submitted version to export: "
            f"{names_text(never)}.",
            code=ErrorCode.NEVER_SUBMITTED,
            fields={f"{noun}s": never},
        )
    row_names = tuple(row.name for row in rows)
    layout: Layout = "single" if len(rows) == 1 or is_script else "batch"
    if is_script:
        file_name = f"DLF_{row_names[0]}.zip" if len(row_names) == 1 else "scripts.zip"
    else:
        file_name = package_file_name(layout=layout, job_name=row_names[0] if layout == "single" else None)
    return ExportSelection(
        workspace=workspace,
        request=request,
        pks=tuple(row.pk for row in rows),
        names=row_names,
        file_name=file_name,
        layout=layout,
        obs_path=obs_path,
    )
