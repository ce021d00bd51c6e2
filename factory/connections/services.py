"""Writes of data connections and external objects (DLI queues, GES graphs, DIS streams, CDM/MRS clusters).

Secrets of a connection (passwords, keys, tokens) arrive write-only in ``secrets`` and are stored only
encrypted; ``config`` holds the rest and refuses anything that looks like a secret (a key named like one,
or a text holding one in part, such as a JDBC URL with ``user:password@``; the rule is
``factory.packages.secrets``, the one the package format applies), so that no response, admin page or
export can carry one by accident.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from factory.crypto import secrets_decrypt, secrets_encrypt
from factory.errors import Conflict, ErrorCode, ValidationError
from factory.packages.names import JOB_NAME_EXTRA, name_problem
from factory.packages.secrets import secret_name_like, text_secrets_found
from factory.workspaces.models import Workspace

from .models import ConnectionType, DataConnection, ExternalObject, ExternalObjectKind

MAX_CONNECTION_NAME = 100
MAX_EXTERNAL_NAME = 128
SECRET_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
MAX_SECRET_LENGTH = 8192


def full_clean(instance: Any, **kwargs: Any) -> None:
    """``full_clean`` with Django's errors turned into our domain error, field messages kept."""
    try:
        instance.full_clean(**kwargs)
    except DjangoValidationError as exc:
        fields = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
        key, messages = next(iter(fields.items()))
        raise ValidationError(f"{key}: {messages[0]}", fields=fields) from exc


def config_check(*, config: Any, field: str = "config") -> dict[str, Any]:
    """A config map, refusing keys that name secrets (anywhere in it, nested maps included)."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ValidationError(f"{field} must be an object.", fields={field: ["Must be an object."]})

    def walk(value: Any, path: str) -> None:
        found = text_secrets_found(value) if isinstance(value, str) else []
        if found:
            where = path.rstrip(".") or field
            raise ValidationError(
                f"{where} holds a secret ({found[0]}): leave it out there and send it in secrets, "
                "which are stored encrypted and never shown.",
                code=ErrorCode.SECRET_IN_CONFIG,
                fields={field: [f"{where}: {found[0]} belongs in secrets."]},
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if secret_name_like(key):
                    raise ValidationError(
                        f"{path}{key} looks like a secret: send it in secrets, which are stored encrypted "
                        "and never shown.",
                        code=ErrorCode.SECRET_IN_CONFIG,
                        fields={field: [f"{path}{key} belongs in secrets."]},
                    )
                walk(item, f"{path}{key}.")
        elif isinstance(value, list):
            for item in value:
                walk(item, path)

    walk(config, "")
    return config


def secrets_check(*, secrets: Any) -> dict[str, str | None]:
    if not isinstance(secrets, dict):
        raise ValidationError(
            "secrets must be an object of names and values.", fields={"secrets": ["Must be an object."]}
        )
    for name, value in secrets.items():
        if not SECRET_NAME.fullmatch(str(name)):
            raise ValidationError(
                f"Invalid secret name {name!r}.", fields={"secrets": [f"Invalid name {name!r}."]}
            )
        if value is not None and (not isinstance(value, str) or len(value) > MAX_SECRET_LENGTH):
            raise ValidationError(
                f"Secret {name} must be a string of at most {MAX_SECRET_LENGTH} characters.",
                fields={"secrets": [f"{name}: must be a string."]},
            )
    return secrets


def name_check(*, name: str, what: str, limit: int, extra: str = JOB_NAME_EXTRA) -> str:
    """DataArts' name rule (the package format's): letters and digits (Chinese too) and ``extra``."""
    problem = (
        "must be text"
        if not isinstance(name, str)
        else name_problem(value=name, extra=extra, max_length=limit)
    )
    if problem:
        raise ValidationError(
            f"The {what} name {problem}.",
            code=ErrorCode.INVALID_NAME,
            fields={"name": [f"The name {problem}."]},
        )
    return name


def _type_check(*, type: str) -> str:
    if type not in ConnectionType.values:
        raise ValidationError(
            f"Unknown connection type {type}; use one of {', '.join(ConnectionType.values)}.",
            code=ErrorCode.INVALID_TYPE,
            fields={"type": ["Unknown connection type."]},
        )
    return type


def _connection_name_free(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    taken = DataConnection.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(f"A data connection named {name} already exists.", code=ErrorCode.CONNECTION_EXISTS)


def secrets_merge(*, current: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """``None`` removes a secret, ``""`` keeps it unchanged (a blank password field), a string sets it."""
    merged = dict(current)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        elif value != "":
            merged[name] = value
    return merged


def _secrets_store(*, connection: DataConnection, values: dict[str, str]) -> None:
    connection.secrets_encrypted = secrets_encrypt(values=values)
    connection.secret_fields = sorted(values)


@transaction.atomic
def connection_create(
    *,
    workspace: Workspace,
    user: User | None,
    name: str,
    type: str,
    config: dict[str, Any] | None = None,
    secrets: dict[str, str | None] | None = None,
    description: str = "",
) -> DataConnection:
    name_check(name=name, what="data connection", limit=MAX_CONNECTION_NAME)
    connection = DataConnection(
        workspace=workspace,
        name=name,
        type=_type_check(type=type),
        config=config_check(config=config),
        description=description or "",
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _secrets_store(
        connection=connection,
        values=secrets_merge(current={}, changes=secrets_check(secrets=secrets or {})),
    )
    _connection_name_free(workspace=workspace, name=name)
    full_clean(connection, validate_constraints=False)
    connection.save()
    return connection


@transaction.atomic
def connection_update(
    *,
    connection: DataConnection,
    user: User | None,
    name: str | None = None,
    type: str | None = None,
    config: dict[str, Any] | None = None,
    secrets: dict[str, str | None] | None = None,
    description: str | None = None,
) -> DataConnection:
    """Change a connection. Only what is given changes; ``config`` is replaced whole; ``secrets`` are
    merged name by name (see ``secrets_merge``), so a form that leaves the password blank keeps it."""
    if name is not None and name != connection.name:
        name_check(name=name, what="data connection", limit=MAX_CONNECTION_NAME)
        _connection_name_free(workspace=connection.workspace, name=name, exclude_pk=connection.pk)
        connection.name = name
    if type is not None:
        connection.type = _type_check(type=type)
    if config is not None:
        connection.config = config_check(config=config)
    if description is not None:
        connection.description = description
    if secrets:
        current = secrets_decrypt(ciphertext=connection.secrets_encrypted)
        _secrets_store(
            connection=connection,
            values=secrets_merge(current=current, changes=secrets_check(secrets=secrets)),
        )
    full_clean(connection, validate_constraints=False)
    connection.save()
    return connection


def connection_delete(*, connection: DataConnection) -> None:
    connection.delete()


def _kind_check(*, kind: str) -> str:
    if kind not in ExternalObjectKind.values:
        raise ValidationError(
            f"Unknown kind {kind}; use one of {', '.join(ExternalObjectKind.values)}.",
            code=ErrorCode.INVALID_KIND,
            fields={"kind": ["Unknown kind."]},
        )
    return kind


def _external_name_free(*, workspace: Workspace, kind: str, name: str, exclude_pk: int | None = None) -> None:
    taken = ExternalObject.objects.filter(workspace=workspace, kind=kind, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        label = ExternalObjectKind(kind).label
        raise Conflict(f"A {label} named {name} already exists.", code=ErrorCode.EXTERNAL_OBJECT_EXISTS)


def external_object_create(
    *,
    workspace: Workspace,
    kind: str,
    name: str,
    description: str = "",
    config: dict[str, Any] | None = None,
) -> ExternalObject:
    _kind_check(kind=kind)
    name_check(name=name, what=ExternalObjectKind(kind).label, limit=MAX_EXTERNAL_NAME)
    _external_name_free(workspace=workspace, kind=kind, name=name)
    obj = ExternalObject(
        workspace=workspace,
        kind=kind,
        name=name,
        description=description or "",
        config=config_check(config=config),
    )
    full_clean(obj, validate_constraints=False)
    obj.save()
    return obj


def external_object_update(
    *,
    external_object: ExternalObject,
    name: str | None = None,
    description: str | None = None,
    config: dict[str, Any] | None = None,
) -> ExternalObject:
    obj = external_object
    if name is not None and name != obj.name:
        name_check(name=name, what=obj.get_kind_display(), limit=MAX_EXTERNAL_NAME)
        _external_name_free(workspace=obj.workspace, kind=obj.kind, name=name, exclude_pk=obj.pk)
        obj.name = name
    if description is not None:
        obj.description = description
    if config is not None:
        obj.config = config_check(config=config)
    full_clean(obj, validate_constraints=False)
    obj.save()
    return obj


def external_object_delete(*, external_object: ExternalObject) -> None:
    external_object.delete()
