"""What the promotion tests share: a dev workspace with a job on a dev connection, a prod workspace with
its own connection, and a profile from dev to prod that remaps the connection and overrides a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from factory.connections.services import connection_create
from factory.development.models import Job
from factory.promotion.models import EnvironmentProfile
from factory.workspaces.models import Role, Workspace
from tests.builders import (
    job_document,
    job_make,
    member_make,
    profile_make,
    script_make,
    user_make,
    workspace_make,
)


@dataclass
class World:
    """``dev``: admins ``ada`` and ``bob``, developer ``dan`` (also a developer of ``prod``); job
    ``daily_load`` running script ``load_sql`` on connection ``dev_dws`` with parameter ``region=dev``.
    ``prod``: admin ``ada``, connection ``prod_dws``. Profile ``to_prod``: ``dev_dws`` -> ``prod_dws``,
    ``region=prod``."""

    dev: Workspace
    prod: Workspace
    ada: AbstractBaseUser
    bob: AbstractBaseUser
    dan: AbstractBaseUser
    job: Job
    profile: EnvironmentProfile


def world_build(*, requires_approval: bool = False) -> World:
    ada = user_make("ada")
    dev = workspace_make("dev", admin=ada)
    prod = workspace_make("prod", admin=ada)
    bob = member_make(dev, "bob", Role.ADMIN)
    dan = member_make(dev, "dan", Role.DEVELOPER)
    member_make(prod, "dan", Role.DEVELOPER)
    connection_create(workspace=dev, user=ada, name="dev_dws", type="DWS", config={"host": "10.0.0.1"})
    connection_create(workspace=prod, user=ada, name="prod_dws", type="DWS", config={"host": "10.9.9.9"})
    script = script_make(workspace=dev, name="load_sql", connection_name="dev_dws")
    script.document = {
        **script.document,
        "content": "INSERT INTO dev_dw.orders SELECT * FROM dev_stage.orders;",
    }
    script.save(update_fields=["document"])
    document = job_document(
        "daily_load",
        script="load_sql",
        connection="dev_dws",
        params=[{"name": "region", "value": "dev", "type": "variable"}],
    )
    job = job_make(workspace=dev, name="daily_load", document=document)
    profile = profile_make(
        workspace=dev,
        user=ada,
        name="to_prod",
        target={"kind": "workspace", "workspaceId": prod.pk},
        rewriteRules=[{"find": "dev_dw", "replace": "prod_dw"}],
        publicParams=[{"name": "region", "value": "prod"}],
        requiresApproval=requires_approval,
    )
    return World(dev, prod, ada, bob, dan, job, profile)


def node_properties(document: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in document["nodes"][0]["properties"]}


def params_of(document: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in document.get("params") or []}


def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root
