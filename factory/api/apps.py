from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "factory.api"
    label = "api"
