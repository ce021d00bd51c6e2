"""Writes of workspace environment variables (Configuration > Environment Variables), used in jobs as
``${name}`` or ``#{Env.get("name")}``. A job parameter of the same name wins over the variable.

A masked variable keeps its value only encrypted (``value_encrypted``; ``value`` stays empty), as connection
passwords are: no response returns it (the console shows it as set or not) and exports carry it empty. An
edit that leaves a masked value blank keeps it; unmasking needs a new value, since a masked value is never
turned back into clear text.
"""

from __future__ import annotations

from factory.crypto import secret_encrypt
from factory.development.models import EnvironmentVariable
from factory.errors import Conflict, ErrorCode, ValidationError
from factory.packages.names import PARAM_NAME_EXTRA
from factory.workspaces.models import Workspace

from .services import full_clean, name_check

MAX_NAME_LENGTH = 64
MAX_VALUE_LENGTH = 1_000_000


def _name_check(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    name_check(name=name, what="environment variable", limit=MAX_NAME_LENGTH, extra=PARAM_NAME_EXTRA)
    taken = EnvironmentVariable.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            f"An environment variable named {name} already exists.",
            code=ErrorCode.ENVIRONMENT_VARIABLE_EXISTS,
        )


def _value_check(*, value: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
        raise ValidationError(
            f"value: text of at most {MAX_VALUE_LENGTH} characters.",
            fields={"value": [f"Text of at most {MAX_VALUE_LENGTH} characters."]},
        )
    return value


def _value_set(*, variable: EnvironmentVariable, value: str) -> None:
    if variable.masked:
        variable.value, variable.value_encrypted = "", secret_encrypt(plaintext=value) if value else ""
    else:
        variable.value, variable.value_encrypted = value, ""


def environment_variable_create(
    *, workspace: Workspace, name: str, value: str = "", description: str = "", masked: bool = False
) -> EnvironmentVariable:
    _name_check(workspace=workspace, name=name)
    variable = EnvironmentVariable(
        workspace=workspace, name=name, description=description or "", masked=masked
    )
    _value_set(variable=variable, value=_value_check(value=value))
    full_clean(variable, validate_constraints=False)
    variable.save()
    return variable


def environment_variable_update(
    *,
    variable: EnvironmentVariable,
    name: str | None = None,
    value: str | None = None,
    description: str | None = None,
    masked: bool | None = None,
) -> EnvironmentVariable:
    """Change what is given. A masked variable's blank ``value`` keeps the stored one (a form never shows
    it back); masking encrypts the current value; unmasking needs the new value in clear."""
    if name is not None and name != variable.name:
        _name_check(workspace=variable.workspace, name=name, exclude_pk=variable.pk)
        variable.name = name
    if value is not None:
        _value_check(value=value)
    if masked is not None and masked != variable.masked:
        if not masked and variable.value_encrypted and not value:
            raise ValidationError(
                f"value: enter the value of {variable.name} to unmask it; a masked value is never shown "
                "or turned back into clear text.",
                code=ErrorCode.VALUE_REQUIRED,
                fields={"value": ["Enter the value to unmask the variable."]},
            )
        current = variable.value
        variable.masked = masked
        if masked and not value:
            _value_set(variable=variable, value=current)
    if value is not None and not (variable.masked and value == ""):
        _value_set(variable=variable, value=value)
    if description is not None:
        variable.description = description
    full_clean(variable, validate_constraints=False)
    variable.save()
    return variable


def environment_variable_delete(*, variable: EnvironmentVariable) -> None:
    variable.delete()
