"""Shared fixtures. The process-backed ones (OBS, the Celery worker, the browser) live in tests/harness.py."""

pytest_plugins = ["tests.harness"]
