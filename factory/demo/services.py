"""Seeding the demo workspace (``manage.py seed_demo``, run by ``make run`` on every start).

Idempotent: an object that exists (by name) is left as it is, so a second run creates nothing and
changes nothing. The demo users' passwords are generated once into ``VAR_DIR/demo-passwords.json``
(mode 0600) and reused, so that every start can print them without resetting them.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from factory.connections.environment import environment_variable_create
from factory.connections.models import DataConnection, ExternalObject
from factory.connections.resources import resource_create
from factory.connections.services import connection_create, external_object_create
from factory.demo.data import (
    ADMIN,
    CONNECTIONS,
    DEMO_OBS_BUCKETS,
    DEVELOPER,
    ENVIRONMENT_VARIABLES,
    EXTERNAL_OBJECTS,
    RESOURCES,
    WORKSPACE,
    DemoJob,
    demo_content,
)
from factory.development.models import EnvironmentVariable, Job, Resource, Script
from factory.development.services import (
    job_create,
    job_save,
    job_schedule_start,
    job_submit,
    job_unlock,
    script_create,
    script_submit,
    script_unlock,
)
from factory.workspaces.models import LockPolicy, Membership, Role, Workspace
from factory.workspaces.services import membership_set, workspace_create

PASSWORDS_FILE = "demo-passwords.json"
_PASSWORD_ALPHABET = string.ascii_letters + string.digits


@dataclass
class DemoSeedResult:
    """The demo users' passwords (None: changed since seeding, so unknown) and what this run created."""

    passwords: dict[str, str | None]
    created: Counter = field(default_factory=Counter)


def _password_new() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))


def demo_passwords_get(*, var_dir: Path) -> dict[str, str]:
    """The demo users' passwords from ``var_dir``, generated (and written with mode 0600) when missing."""
    path = var_dir / PASSWORDS_FILE
    stored: dict[str, str] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text())
            stored = {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str) and v}
        except (ValueError, AttributeError):
            stored = {}
    wanted = {name: stored.get(name) or _password_new() for name in (ADMIN, DEVELOPER)}
    if wanted != stored:
        var_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(wanted, handle, indent=2, sort_keys=True)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    return wanted


def _user_ensure(*, username: str, password: str, superuser: bool, result: DemoSeedResult) -> User:
    """The demo user, created with ``password`` when missing. An existing user keeps their password;
    if it no longer is the stored one (changed in the console), it is reported as unknown."""
    users = get_user_model().objects
    user = users.filter(username=username).first()
    if user is None:
        create = users.create_superuser if superuser else users.create_user
        user = create(username=username, email="", password=password)
        result.created["users"] += 1
        result.passwords[username] = password
    else:
        result.passwords[username] = password if user.check_password(password) else None
    return user


def _workspace_ensure(*, admin: User, developer: User, result: DemoSeedResult) -> Workspace:
    workspace = Workspace.objects.filter(name=WORKSPACE).first()
    if workspace is None:
        workspace = workspace_create(
            name=WORKSPACE,
            user=admin,
            lock_policy=LockPolicy.SOFT,
            is_default=True,
            obs_allow_list=list(DEMO_OBS_BUCKETS),
        )
        result.created["workspaces"] += 1
    # Only missing memberships are added: a role changed since seeding stays as it was changed.
    for user, role in ((admin, Role.ADMIN), (developer, Role.DEVELOPER)):
        if not Membership.objects.filter(workspace=workspace, user=user).exists():
            membership_set(workspace=workspace, user=user, role=role)
            result.created["memberships"] += 1
    return workspace


def _references_ensure(*, workspace: Workspace, admin: User, result: DemoSeedResult) -> None:
    existing = set(DataConnection.objects.filter(workspace=workspace).values_list("name", flat=True))
    for demo in CONNECTIONS:
        if demo.name not in existing:
            connection_create(
                workspace=workspace,
                user=admin,
                name=demo.name,
                type=demo.type,
                config=dict(demo.config),
                secrets={name: _password_new() for name in demo.secret_names},
                description=demo.description,
            )
            result.created["connections"] += 1
    existing_objects = set(ExternalObject.objects.filter(workspace=workspace).values_list("kind", "name"))
    for kind, name, description, config in EXTERNAL_OBJECTS:
        if (kind, name) not in existing_objects:
            external_object_create(
                workspace=workspace, kind=kind, name=name, description=description, config=config
            )
            result.created["external objects"] += 1
    existing = set(Resource.objects.filter(workspace=workspace).values_list("name", flat=True))
    for document in RESOURCES:
        if document["name"] not in existing:
            resource_create(workspace=workspace, user=admin, document=document)
            result.created["resources"] += 1
    existing = set(EnvironmentVariable.objects.filter(workspace=workspace).values_list("name", flat=True))
    for name, value, description in ENVIRONMENT_VARIABLES:
        if name not in existing:
            environment_variable_create(workspace=workspace, name=name, value=value, description=description)
            result.created["environment variables"] += 1


def _scripts_ensure(
    *, workspace: Workspace, users: dict[str, User], scripts: list[dict], result: DemoSeedResult
) -> None:
    existing = set(Script.objects.filter(workspace=workspace).values_list("name", flat=True))
    for document in scripts:
        if document["name"] in existing:
            continue
        user = (
            users[DEVELOPER] if document["directory"].startswith(("/dwd", "/dws", "/ads")) else users[ADMIN]
        )
        script = script_create(
            workspace=workspace, user=user, document={**document, "owner": user.get_username()}
        )
        script_submit(script=script, user=user, description="Initial version")
        script_unlock(script=script, user=user)
        result.created["scripts"] += 1


def _job_ensure(*, workspace: Workspace, demo: DemoJob, user: User, result: DemoSeedResult) -> None:
    job = job_create(workspace=workspace, user=user, document=demo.document)
    if demo.submit:
        job_submit(job=job, user=user, description="Initial version")
        if demo.later_change:
            # A later edit, saved but not submitted: the tree shows the job as changed.
            changed = {
                **demo.document,
                "description": (demo.document.get("description") or "") + " (being revised)",
            }
            job_save(job=job, user=user, document=changed)
        if demo.schedule:
            job_schedule_start(job=job, user=user)
    if not demo.keep_lock:
        job_unlock(job=job, user=user)
    result.created["jobs"] += 1


@transaction.atomic
def demo_seed(*, var_dir: Path) -> DemoSeedResult:
    """Create what is missing of the demo workspace; see the module docstring."""
    passwords = demo_passwords_get(var_dir=var_dir)
    result = DemoSeedResult(passwords={})
    admin = _user_ensure(username=ADMIN, password=passwords[ADMIN], superuser=True, result=result)
    developer = _user_ensure(
        username=DEVELOPER, password=passwords[DEVELOPER], superuser=False, result=result
    )
    workspace = _workspace_ensure(admin=admin, developer=developer, result=result)
    _references_ensure(workspace=workspace, admin=admin, result=result)
    content = demo_content()
    users = {ADMIN: admin, DEVELOPER: developer}
    _scripts_ensure(workspace=workspace, users=users, scripts=content.scripts, result=result)
    existing = set(Job.objects.filter(workspace=workspace).values_list("name", flat=True))
    for demo in content.jobs:
        if demo.document["name"] not in existing:
            _job_ensure(workspace=workspace, demo=demo, user=users[demo.creator], result=result)
    return result
