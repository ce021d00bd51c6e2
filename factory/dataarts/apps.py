from django.apps import AppConfig


class DataartsConfig(AppConfig):
    name = "factory.dataarts"
    label = "dataarts"
