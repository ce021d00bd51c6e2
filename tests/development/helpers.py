"""Documents and people for the development-state tests (plain ORM: ``tests/factories.py`` cannot import
factory_boy, whose top-level package name ``factory`` is shadowed by the project's)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from factory.workspaces.models import Membership, Workspace


def user_make(username: str) -> AbstractBaseUser:
    # No password: hashing one costs more than most tests here, which log in with force_login.
    return get_user_model().objects.create_user(username=username, password=None)


def member_make(workspace: Workspace, username: str, role: str) -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username).first() or user_make(username)
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def job_document(name: str, *, nodes: list[dict] | None = None, **extra: object) -> dict:
    """A small valid BATCH job: one DWS SQL node unless ``nodes`` is given."""
    doc = {
        "name": name,
        "processType": "BATCH",
        "directory": "/",
        "nodes": nodes
        if nodes is not None
        else [
            {
                "name": "DWS_SQL_1",
                "type": "DWSSQL",
                "location": {"x": 10, "y": 20},
                "preNodeName": [],
                "properties": [
                    {"name": "scriptName", "value": "dws_script"},
                    {"name": "connectionName", "value": "doctest"},
                    {"name": "database", "value": "postgres"},
                ],
            }
        ],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [],
        "basicConfig": {"owner": "", "priority": 0},
    }
    doc.update(extra)
    return doc


def two_node_job(name: str, **extra: object) -> dict:
    """A job whose node "load" runs after the node "extract"."""
    nodes = [
        {
            "name": "extract",
            "type": "Dummy",
            "location": {"x": 0, "y": 0},
            "preNodeName": [],
            "properties": [],
        },
        {
            "name": "load",
            "type": "Dummy",
            "location": {"x": 100, "y": 0},
            "preNodeName": ["extract"],
            "properties": [],
        },
    ]
    return job_document(name, nodes=nodes, **extra)


def script_document(name: str, **extra: object) -> dict:
    doc = {
        "name": name,
        "type": "DWSSQL",
        "content": "SELECT 1;",
        "connectionName": "doctest",
        "database": "postgres",
        "directory": "/",
        "configuration": {},
        "description": "",
    }
    doc.update(extra)
    return doc
