from django.urls import path

from qnwmh.units import picker, views

# Joined with accounts/urls_unit_admins.py into the "units" namespace (qnwmh/urls.py).
urlpatterns = [
    path("", views.index, name="index"),
    path("pick/", picker.pick, name="pick"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.create_child, name="create_child"),
]
