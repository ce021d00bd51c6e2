"""Writes of workspace environment variables (Configuration > Environment Variables), used in jobs as
``${name}`` or ``#{Env.get("name")}``. A job parameter of the same name wins over the variable."""

from __future__ import annotations

from factory.development.models import EnvironmentVariable
from factory.errors import Conflict, ValidationError
from factory.packages.names import PARAM_NAME_EXTRA
from factory.workspaces.models import Workspace

from .services import full_clean, name_check

MAX_NAME_LENGTH = 64
MAX_VALUE_LENGTH = 1_000_000


def _name_check(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    name_check(name=name, what="environment variable", limit=MAX_NAME_LENGTH, extra=PARAM_NAME_EXTRA)
    if EnvironmentVariable.objects.filter(workspace=workspace, name=name).exclude(pk=exclude_pk).exists():
        raise Conflict(
            f"An environment variable named {name} already exists.", code="environment_variable_exists"
        )


def _value_check(*, value: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
        raise ValidationError(
            f"value: text of at most {MAX_VALUE_LENGTH} characters.",
            fields={"value": [f"Text of at most {MAX_VALUE_LENGTH} characters."]},
        )
    return value


def environment_variable_create(
    *, workspace: Workspace, name: str, value: str = "", description: str = ""
) -> EnvironmentVariable:
    _name_check(workspace=workspace, name=name)
    variable = EnvironmentVariable(
        workspace=workspace, name=name, value=_value_check(value=value), description=description or ""
    )
    full_clean(variable, validate_constraints=False)
    variable.save()
    return variable


def environment_variable_update(
    *,
    variable: EnvironmentVariable,
    name: str | None = None,
    value: str | None = None,
    description: str | None = None,
) -> EnvironmentVariable:
    if name is not None and name != variable.name:
        _name_check(workspace=variable.workspace, name=name, exclude_pk=variable.pk)
        variable.name = name
    if value is not None:
        variable.value = _value_check(value=value)
    if description is not None:
        variable.description = description
    full_clean(variable, validate_constraints=False)
    variable.save()
    return variable


def environment_variable_delete(*, variable: EnvironmentVariable) -> None:
    variable.delete()
