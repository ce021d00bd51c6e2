"""The page shell: login and the single-page console. Filled in by the accounts area."""

urlpatterns: list = []
