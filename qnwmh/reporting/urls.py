from django.urls import path

from qnwmh.reporting import views

app_name = "reporting"
urlpatterns = [
    # A cycle's progress stays under the cycle's own address.
    path("cycles/<int:pk>/progress/", views.progress, name="progress"),
    path("cycles/<int:pk>/export/", views.export, name="export"),
]
