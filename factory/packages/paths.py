"""Where each kind of object lives inside a package (DataArts' layouts plus our manifest)."""

from __future__ import annotations

JOBS_DIR = "jobs"
SCRIPTS_DIR = "scripts"
RESOURCES_DIR = "resources"
CONNECTIONS_DIR = "connections"
ENVIRONMENT_PATH = "environment/variables.json"
MANIFEST_PATH = "manifest.json"

JOB_SUFFIX = ".job"
SCRIPT_SUFFIX = ".script"
RESOURCE_SUFFIX = ".resource"
CONNECTION_SUFFIX = ".conn"

ROOT_NAMES = frozenset({JOBS_DIR, SCRIPTS_DIR, RESOURCES_DIR, CONNECTIONS_DIR, "environment", MANIFEST_PATH})
"""First path segments that mark a package root; a wrapping folder is only stripped without them."""


def job_path_single(job: str) -> str:
    return f"{JOBS_DIR}/{job}{JOB_SUFFIX}"


def job_path_batch(job: str) -> str:
    return f"{JOBS_DIR}/{job}/{job}{JOB_SUFFIX}"


def script_path_single(script: str) -> str:
    return f"{SCRIPTS_DIR}/{script}{SCRIPT_SUFFIX}"


def script_path_batch(job: str, script: str) -> str:
    return f"{JOBS_DIR}/{job}/{script}{SCRIPT_SUFFIX}"


def resource_path(resource: str) -> str:
    return f"{RESOURCES_DIR}/{resource}{RESOURCE_SUFFIX}"


def connection_path(connection: str) -> str:
    return f"{CONNECTIONS_DIR}/{connection}{CONNECTION_SUFFIX}"
