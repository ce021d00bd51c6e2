from django.apps import AppConfig


class PromotionConfig(AppConfig):
    name = "factory.promotion"
    label = "promotion"
