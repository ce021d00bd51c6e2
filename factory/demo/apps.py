from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "factory.demo"
    label = "demo"
