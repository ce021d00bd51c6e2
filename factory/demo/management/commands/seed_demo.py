"""``manage.py seed_demo``: the demo workspace, users and jobs (idempotent; ``make run`` runs it on start).

Prints ``user admin password <pw>`` and ``user developer password <pw>`` every time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from factory.demo.services import demo_seed


class Command(BaseCommand):
    help = "Create the demo workspace (users admin and developer, connections, resources, scripts, jobs)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_seed(var_dir=settings.VAR_DIR)
        created = ", ".join(f"{count} {what}" for what, count in result.created.items())
        self.stdout.write(
            f"demo data: {'created ' + created if created else 'already present, nothing to do'}"
        )
        for username, password in result.passwords.items():
            if password is None:
                self.stdout.write(
                    f"user {username} password (changed since seeding; reset it with "
                    f"manage.py changepassword {username})"
                )
            else:
                self.stdout.write(f"user {username} password {password}")
