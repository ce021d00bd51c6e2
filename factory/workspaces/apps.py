from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "factory.workspaces"
    label = "workspaces"
