"""Celery tasks of promotion: thin wrappers around the bodies in ``factory.promotion.local`` (a workspace of
this console) and ``factory.promotion.remote`` (a remote console or DataArts Studio), which claim the
``Promotion`` row in the state they need (a message delivered twice does its work once). ``promote``
queues them once the row commits."""

from __future__ import annotations

from celery import shared_task

from factory.promotion.local import local_apply_run, local_preview_run
from factory.promotion.remote import remote_apply_run, remote_preview_run


@shared_task(name="promotion.local_preview")
def local_preview(promotion_id: int) -> None:
    """Build the package, start its import into the target workspace with the profile's choices, preview it."""
    local_preview_run(promotion_id=promotion_id)


@shared_task(name="promotion.local_apply")
def local_apply(promotion_id: int) -> None:
    """Run the import's apply (asked for by the request) and record its outcome on the promotion."""
    local_apply_run(promotion_id=promotion_id)


@shared_task(name="promotion.remote_preview")
def remote_preview(promotion_id: int) -> None:
    """Read the remote's objects, classify the package's against them and stage what changes in OBS."""
    remote_preview_run(promotion_id=promotion_id)


@shared_task(name="promotion.remote_apply")
def remote_apply(promotion_id: int) -> None:
    """Drive the remote's v1 import of the staged package and follow its system task to the end."""
    remote_apply_run(promotion_id=promotion_id)
