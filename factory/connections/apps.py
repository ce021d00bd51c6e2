from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "factory.connections"
    label = "connections"
