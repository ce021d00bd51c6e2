"""Every route of the console API and of the v1 API, read from Django's URL resolver (never a hand-kept
list): its pattern, namespaced name, path kwargs, and the HTTP methods it answers with the view class of
each. The security matrices iterate these, so that a route added tomorrow is exercised (or makes the
matrix fail until it knows how to fill the route in)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from factory.routing import MethodRouter

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, e.g. "api/workspaces/<str:workspace_id>/jobs/<int:job_id>/"
    name: str  # the namespaced URL name, e.g. "development:job"
    kwargs: tuple[str, ...]  # the path's kwargs, in order
    default_args: dict[str, Any] = field(default_factory=dict)
    views: dict[str, type] = field(default_factory=dict)  # HTTP method -> the view class answering it
    is_regex: bool = False

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(m for m in ALL_METHODS if m in self.views)

    @property
    def is_workspace(self) -> bool:
        return "workspace_id" in self.kwargs

    def path(self, values: dict[str, Any]) -> str:
        """The URL with every kwarg replaced by ``values[kwarg]``."""
        if self.is_regex:
            raise ValueError(f"{self.name} is a regular expression route: it has no path to fill in")
        missing = [k for k in self.kwargs if k not in values]
        if missing:
            raise KeyError(f"{self.name}: no value for {', '.join(missing)}")
        return "/" + _CONVERTER.sub(lambda m: str(values[m["name"]]), self.pattern)

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"


def _walk(patterns: list, prefix: str = "", namespace: str = "", regex: bool = False) -> Iterator[tuple]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            is_regex = regex or not hasattr(entry.pattern, "_route")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, is_regex)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield prefix + str(entry.pattern), name, entry, regex or not hasattr(entry.pattern, "_route")


def _drf_methods(view_class: type[APIView]) -> dict[str, type]:
    if issubclass(view_class, MethodRouter):
        return {
            method.upper(): handler.view_class
            for method, handler in view_class.handlers.items()
            if method not in ("head", "options")
        }
    return {
        method.upper(): view_class
        for method in view_class.http_method_names
        if method not in ("head", "options", "trace") and hasattr(view_class, method)
    }


def all_routes() -> list[Route]:
    routes = []
    for pattern, name, entry, is_regex in _walk(get_resolver().url_patterns):
        callback = entry.callback
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            views = _drf_methods(view_class)  # a MethodRouter for the v1 API's paths too
        else:
            views = {}
        kwargs = tuple(m["name"] for m in _CONVERTER.finditer(pattern)) if not is_regex else ()
        routes.append(
            Route(
                pattern=pattern,
                name=name,
                kwargs=kwargs,
                default_args=dict(entry.default_args),
                views=views,
                is_regex=is_regex,
            )
        )
    return routes


def console_api_routes() -> list[Route]:
    return [r for r in all_routes() if r.pattern.startswith("api/")]


def v1_routes() -> list[Route]:
    """The v1 API's operations (the catch-all that answers APIGW.0101 for anything else excluded)."""
    return [r for r in all_routes() if r.pattern.startswith("v1/") and not r.is_regex]
