"""The job development console: a DataArts Factory-compatible Django project."""

from factory.celery import app as celery_app

__all__ = ["celery_app"]
