"""The console's REST API (session auth + CSRF), one namespaced module per area.

The schema and its Swagger UI describe every operation: they are for logged-in users only (the page
redirects to /login/, the schema answers 403 in the error envelope). The UI's files come from
drf-spectacular-sidecar under /static/, its initialisation from ``/api/docs/?script`` (no inline script).
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[IsAuthenticated])
        ),
        name="swagger-ui",
    ),
    path("", include("factory.api.accounts.urls")),
    path("", include("factory.api.development.urls")),
    path("", include("factory.api.connections.urls")),
    path("", include("factory.api.transfer.urls")),
    path("", include("factory.api.promotion.urls")),
]
