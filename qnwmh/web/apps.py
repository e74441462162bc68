from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qnwmh.web"
    label = "web"
