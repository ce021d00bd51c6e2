"""Shared fixtures. The process-backed ones (OBS, the Celery worker, the browser) live in tests/harness.py;
the second console that remote promotions go to in tests/second_console.py."""

pytest_plugins = ["tests.harness", "tests.second_console"]
