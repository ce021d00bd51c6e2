from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "factory.transfer"
    label = "transfer"
