"""The DataArts Factory-compatible v1 API under /v1/{project_id}/."""

urlpatterns: list = []
