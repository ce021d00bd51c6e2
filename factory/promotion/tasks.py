"""Celery tasks of promotion to a remote console or DataArts Studio: thin wrappers around the bodies in
``factory.promotion.remote``, which claim the ``Promotion`` row in the state they need (a message delivered
twice does its work once). ``promote`` queues them once the row commits."""

from __future__ import annotations

from celery import shared_task

from factory.promotion.remote import remote_apply_run, remote_preview_run


@shared_task(name="promotion.remote_preview")
def remote_preview(promotion_id: int) -> None:
    """Read the remote's objects, classify the package's against them and stage what changes in OBS."""
    remote_preview_run(promotion_id=promotion_id)


@shared_task(name="promotion.remote_apply")
def remote_apply(promotion_id: int) -> None:
    """Drive the remote's v1 import of the staged package and follow its system task to the end."""
    remote_apply_run(promotion_id=promotion_id)
