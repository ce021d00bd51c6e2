"""Reads of the development state. Import from here: ``from factory.development.selectors import job_get``."""

from factory.development.selectors.objects import (
    directory_get,
    job_get,
    job_version_get,
    job_versions_list,
    jobs_list,
    script_get,
    script_version_get,
    script_versions_list,
    scripts_list,
)
from factory.development.selectors.tree import directory_tree_get

__all__ = [
    "directory_get",
    "directory_tree_get",
    "job_get",
    "job_version_get",
    "job_versions_list",
    "jobs_list",
    "script_get",
    "script_version_get",
    "script_versions_list",
    "scripts_list",
]
