"""One URL, several operations: route each HTTP method of a URL to that operation's own APIView.

The house style wants one APIView per operation, and REST wants ``GET jobs/`` and ``POST jobs/`` on one
URL (the v1 API too: the SDK's ``GET jobs/{name}`` shows, ``PUT`` updates, ``DELETE`` deletes).
``methods(get=JobListApi, post=JobCreateApi)`` gives Django one view for the URL that hands each request to
the operation's view whole (authentication, permissions and errors included). The router carries the
operations' handler functions too, so that drf-spectacular documents each method with its own
``@extend_schema``. Both the console API and the v1 API use it, hence its place below both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView

View = Callable[..., HttpResponseBase]


class MethodRouter(APIView):
    handlers: ClassVar[dict[str, View]] = {}
    unknown: ClassVar[View | None] = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Django's request handlers always set the method (None only on an HttpRequest built by hand)
        handler = self.handlers.get(cast(str, request.method).lower(), self.unknown)
        if handler is None:  # OPTIONS, or a method no operation answers (405)
            return super().dispatch(request, *args, **kwargs)
        return handler(request, *args, **kwargs)


def methods(*, unknown: View | None = None, **views: type[APIView]) -> View:
    """A URL's view: ``methods(get=JobDetailApi, put=JobSaveApi, delete=JobDeleteApi)``.

    A method none of ``views`` answers goes to ``unknown`` when given (the v1 API's 404 for whatever it
    does not have); otherwise DRF answers it (OPTIONS, or 405 in the API's error envelope) and HEAD is GET.
    """
    handlers = {method: view.as_view() for method, view in views.items()}
    if unknown is None and "get" in handlers:
        handlers.setdefault("head", handlers["get"])
    attrs: dict[str, Any] = {method: getattr(view, method) for method, view in views.items()}
    attrs.update(handlers=handlers, unknown=staticmethod(unknown) if unknown else None)
    attrs["__doc__"] = " / ".join(view.__name__ for view in views.values())
    if all(getattr(view, "schema", True) is None for view in views.values()):
        attrs["schema"] = None  # views left out of the OpenAPI schema (the v1 API's) leave their URL out
    name = "".join(view.__name__.removesuffix("Api") for view in views.values()) + "Router"
    # type() with MethodRouter as the base builds a subclass of it; the checker sees only `type`
    router = cast(type[MethodRouter], type(name, (MethodRouter,), attrs))
    return router.as_view()
