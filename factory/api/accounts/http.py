"""CSRF for the accounts views anonymous users may call (log in, log out)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.views import APIView


class CsrfCheckedApi(APIView):
    """A view anonymous users may call (log in, log out) that still refuses cross-site requests: DRF's
    session authentication only checks CSRF for requests that are already logged in."""

    authentication_classes = (SessionAuthentication,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)
