"""One URL, several operations: route each HTTP method of a URL to that operation's own APIView.

The house style wants one APIView per operation, and REST wants ``GET jobs/`` and ``POST jobs/`` on one
URL. ``methods(get=JobListApi, post=JobCreateApi)`` gives Django one view for the URL that hands each
request to the operation's view whole (authentication, permissions and errors included). The router
carries the operations' handler functions too, so that drf-spectacular documents each method with its
own ``@extend_schema``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView


class MethodRouter(APIView):
    handlers: ClassVar[dict[str, Callable[..., HttpResponseBase]]] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Django's request handlers always set the method (None only on an HttpRequest built by hand)
        handler = self.handlers.get(cast(str, request.method).lower())
        if handler is None:  # OPTIONS, or a method no operation answers (405)
            return super().dispatch(request, *args, **kwargs)
        return handler(request, *args, **kwargs)


def methods(**views: type[APIView]) -> Callable[..., HttpResponseBase]:
    """A URL's view: ``methods(get=JobDetailApi, put=JobSaveApi, delete=JobDeleteApi)``."""
    handlers = {method: view.as_view() for method, view in views.items()}
    if "get" in handlers:
        handlers.setdefault("head", handlers["get"])
    attrs: dict[str, Any] = {method: getattr(view, method) for method, view in views.items()}
    attrs["handlers"] = handlers
    attrs["__doc__"] = " / ".join(view.__name__ for view in views.values())
    name = "".join(view.__name__.removesuffix("Api") for view in views.values()) + "Router"
    # type() with MethodRouter as the base builds a subclass of it; the checker sees only `type`
    router = cast(type[MethodRouter], type(name, (MethodRouter,), attrs))
    return router.as_view()
