"""URL root: the console API under /api/, the DataArts-compatible API under /v1/, the page shell."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("factory.api.urls")),
    path("v1/", include("factory.dataarts.urls")),
    path("", include("factory.api.pages")),
]
