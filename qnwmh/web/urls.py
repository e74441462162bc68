from django.urls import path

from qnwmh.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
]
