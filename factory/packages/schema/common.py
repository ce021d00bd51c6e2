"""Small checks shared by the document validators, each raising a precise :class:`PackageError`.

Messages are written to follow the field path in ``str(error)``, e.g.
``nodes[0].retryTimes: 7 is out of range: must be between 0 and 5``: the console shows them verbatim.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from factory.packages.errors import PackageError
from factory.packages.names import name_problem

MAX_DIRECTORY_LEVELS = 10
MAX_DIRECTORY_SEGMENT = 64


def fail(*, code: str, field: str | None, message: str) -> NoReturn:
    raise PackageError(message, code=code, field=field or None)


def at(prefix: str | None, key: str | int) -> str:
    """The JSON path of ``key`` below ``prefix``: ``nodes[2]``, ``nodes[2].name``, ``name``."""
    if isinstance(key, int):
        return f"{prefix or ''}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def describe(value: Any) -> str:
    """The JSON type of ``value`` with an article, for 'must be a list, not a string' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value: Any, limit: int = 60) -> str:
    """A value quoted for a message, shortened so that a 4 MB string does not end up in a log line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def wrong_type(*, field: str | None, expected: str, value: Any) -> NoReturn:
    fail(code="schema.wrong_type", field=field, message=f"must be {expected}, not {describe(value)}")


def as_object(value: Any, *, field: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        wrong_type(field=field, expected="an object", value=value)
    return value


def as_list(value: Any, *, field: str | None) -> list[Any]:
    if not isinstance(value, list):
        wrong_type(field=field, expected="a list", value=value)
    return value


def as_str(value: Any, *, field: str | None) -> str:
    if not isinstance(value, str):
        wrong_type(field=field, expected="a string", value=value)
    return value


def required(document: dict[str, Any], key: str, *, prefix: str | None = None) -> Any:
    if key not in document:
        fail(code="schema.missing_field", field=at(prefix, key), message="this field is required")
    return document[key]


def check_name(value: Any, *, field: str, what: str, extra: str, max_length: int, min_length: int = 1) -> str:
    text = as_str(value, field=field)
    problem = name_problem(value=text, extra=extra, max_length=max_length, min_length=min_length)
    if problem:
        fail(code="schema.invalid_name", field=field, message=f"{what} {shown(text)} {problem}")
    return text


def check_enum(value: Any, *, field: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        fail(
            code="schema.invalid_value",
            field=field,
            message=f"{shown(value)} is not one of {', '.join(allowed)}",
        )
    return value


def check_length(value: str, *, field: str, max_chars: int) -> None:
    if len(value) > max_chars:
        fail(
            code="schema.too_large",
            field=field,
            message=f"is {len(value)} characters long; at most {max_chars} are allowed",
        )


def _as_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= 20:
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def check_int_range(value: Any, *, field: str, low: int, high: int) -> None:
    """Integers or integer strings ("10", as real exports write them) between ``low`` and ``high``."""
    number = _as_integer(value)
    if number is None:
        wrong_type(field=field, expected="a whole number", value=value)
    if not low <= number <= high:
        fail(
            code="schema.out_of_range",
            field=field,
            message=f"{number} is out of range: must be between {low} and {high}",
        )


def check_number(value: Any, *, field: str) -> None:
    """A finite number or a numeric string such as ``"-45.5"`` (canvas coordinates in real exports)."""
    if isinstance(value, bool):
        wrong_type(field=field, expected="a number", value=value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and 0 < len(value) <= 64:
        try:
            number = float(value)
        except ValueError:
            fail(code="schema.wrong_type", field=field, message=f"{shown(value)} is not a number")
    else:
        wrong_type(field=field, expected="a number", value=value)
    if not math.isfinite(number):
        fail(code="schema.wrong_type", field=field, message=f"{shown(value)} is not a finite number")


def check_directory(value: Any, *, field: str) -> None:
    """``/``, ``/a/b`` or ``/a/b/``: at most 10 levels of 1-64 characters, as DataArts' directory tree.

    A level is never ``.``, ``..`` or only whitespace: the console's directory services refuse those
    names, so a package carrying one would pass inspection and its job fail only at apply.
    """
    text = as_str(value, field=field)
    if not text.startswith("/"):
        fail(code="schema.invalid_directory", field=field, message=f"{shown(text)} must start with '/'")
    inner = text[1:-1] if text.endswith("/") and len(text) > 1 else text[1:]
    if not inner:
        return
    segments = inner.split("/")
    if len(segments) > MAX_DIRECTORY_LEVELS:
        fail(
            code="schema.invalid_directory",
            field=field,
            message=f"{shown(text)} is {len(segments)} levels deep; at most {MAX_DIRECTORY_LEVELS} are allowed",
        )
    for segment in segments:
        if not segment:
            fail(code="schema.invalid_directory", field=field, message=f"{shown(text)} has an empty level")
        if segment in (".", ".."):
            fail(
                code="schema.invalid_directory",
                field=field,
                message=f"{shown(text)} has a {shown(segment)} level; directories are named, not relative",
            )
        if not segment.strip():
            fail(
                code="schema.invalid_directory",
                field=field,
                message=f"{shown(text)} has a level of only whitespace",
            )
        if len(segment) > MAX_DIRECTORY_SEGMENT:
            fail(
                code="schema.invalid_directory",
                field=field,
                message=f"directory {shown(segment)} is longer than {MAX_DIRECTORY_SEGMENT} characters",
            )
        if not segment.isprintable():
            fail(
                code="schema.invalid_directory",
                field=field,
                message=f"directory {shown(segment)} contains control characters",
            )


def check_unique(name: str, *, seen: dict[str, str], field: str, what: str, code: str) -> None:
    """Record ``name`` at ``field``; if it was seen before, say where."""
    if name in seen:
        fail(code=code, field=field, message=f"{what} {shown(name)} is already used by {seen[name]}")
    seen[name] = field
