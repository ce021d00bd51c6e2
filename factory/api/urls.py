"""The console's REST API (session auth + CSRF), one namespaced module per area."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("factory.api.accounts.urls")),
    path("", include("factory.api.development.urls")),
    path("", include("factory.api.connections.urls")),
    path("", include("factory.api.transfer.urls")),
]
