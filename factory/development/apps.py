from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "factory.development"
    label = "development"
