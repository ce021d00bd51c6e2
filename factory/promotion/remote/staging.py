"""The package of a remote promotion: built from the selection (``package_built``, as for a workspace
target) and read; what changes written as a new object in OBS under the profile's folder
(``promotion-<id>-<random>.zip``, never overwriting one), its sha256 on the row; read back at apply and
refused unless it still has that sha256 (what is imported is what was previewed and approved); deleted
when the promotion is rejected or fails before the import was asked for.

The remote's import reads the object itself, after this console checked it: the staging folder must be
one that only this console may write (see docs/promoting.md), or a writer could swap it in between."""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.utils import timezone

from factory.obs import (
    ObsError,
    ObsPath,
    obs_delete,
    obs_download_to,
    obs_exists,
    obs_path_parse,
    obs_write_stream,
)
from factory.packages import (
    JobEntry,
    ManifestInfo,
    Package,
    ResourceEntry,
    ScriptEntry,
    package_read,
    package_write,
)
from factory.transfer.exports import ExportRequest
from factory.transfer.imports import package_limits
from factory.workspaces.models import Workspace
from factory.workspaces.obs import workspace_obs_path

from ..local import package_built
from ..models import EnvironmentProfile, Promotion
from .client import RemoteFailure
from .plan import RemotePlan

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


@contextmanager
def package_of(*, workspace: Workspace, user: User, request: ExportRequest) -> Iterator[Package]:
    """The selection's package (with its dependencies), built in a temporary folder and read."""
    with package_built(workspace=workspace, user=user, request=request) as path:
        with package_read(source=path, limits=package_limits()) as package:
            yield package


class StagedChanged(RemoteFailure):
    """The staged object is not the one previewed (its sha256 differs): nothing is sent."""


@contextmanager
def staged_read(*, promotion: Promotion) -> Iterator[Package]:
    """The package staged for the promotion, read back from OBS once its sha256 is found to be the
    previewed one (``StagedChanged`` otherwise)."""
    path = obs_path_parse(promotion.staged_path, field="stagedPath")
    limits = package_limits()
    with tempfile.TemporaryFile(prefix="promotion-") as handle:
        obs_download_to(path=path, fileobj=handle, max_bytes=limits.max_packed_bytes)
        handle.seek(0)
        digest = hashlib.sha256()
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        if not promotion.package_sha256 or digest.hexdigest() != promotion.package_sha256:
            raise StagedChanged(
                f"The staged package {promotion.staged_path} changed after it was previewed (its sha256 is "
                "not the one shown and approved); nothing was sent. Promote again, and keep the staging "
                "folder writable by this console only."
            )
        handle.seek(0)
        with package_read(source=handle, limits=limits) as package:
            yield package


def _chunks(*, plan: RemotePlan, promotion: Promotion, user: User) -> Iterator[bytes]:
    sent = plan.to_send
    sent_scripts = {o.name for o in sent if o.type == "script"}
    return package_write(
        layout="single",
        jobs=[
            JobEntry(name=o.name, document=o.staged, scripts=[s for s in o.scripts if s in sent_scripts])
            for o in sent
            if o.type == "job"
        ],
        scripts=[ScriptEntry(name=o.name, document=o.staged) for o in sent if o.type == "script"],
        resources=[ResourceEntry(name=o.name, document=o.staged) for o in sent if o.type == "resource"],
        connections=plan.connections,
        environment=plan.environment,
        manifest=ManifestInfo(
            scope="with_dependencies",
            job_status="develop",
            workspace=promotion.workspace.name,
            user=user.get_username(),
            exported_at=timezone.now().isoformat(),
        ),
    )


def staged_name(*, promotion: Promotion, profile: EnvironmentProfile) -> ObsPath:
    """A new object's path under the profile's folder (the workspace's OBS allow-list applies)."""
    folder = workspace_obs_path(
        workspace=promotion.workspace, value=profile.remote_obs_folder, field="target.obsFolder"
    )
    return folder.child(f"promotion-{promotion.pk}-{secrets.token_hex(6)}.zip")


def stage(*, plan: RemotePlan, promotion: Promotion, user: User, target: ObsPath) -> str:
    """Write the package of what changes to ``target``, a new object: its sha256."""
    if obs_exists(path=target):  # never replace an object (a name is never made twice, but check)
        raise RemoteFailure(f"An object already exists at {target}; nothing was staged.")
    digest = hashlib.sha256()

    def hashed() -> Iterator[bytes]:
        for chunk in _chunks(plan=plan, promotion=promotion, user=user):
            digest.update(chunk)
            yield chunk

    obs_write_stream(path=target, chunks=hashed())
    return digest.hexdigest()


def staged_delete(path: str, *, promotion_id: int | None, why: str) -> None:
    """Delete a staged object (best effort: a failure is logged)."""
    if not path:
        return
    try:
        obs_delete(path=obs_path_parse(path, field="stagedPath"))
    except ObsError as exc:
        logger.warning("Could not delete %s (promotion %s, %s): %s", path, promotion_id, why, exc.message)


def remote_discard(promotion: Promotion) -> None:
    """A rejected promotion's staged package is deleted from OBS (best effort: a failure is logged)."""
    staged_delete(promotion.staged_path, promotion_id=promotion.pk, why="rejected")
