from django.urls import path

from qnwmh.cycles import views

app_name = "cycles"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="create"),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/edit/", views.cycle_edit, name="edit"),
    path("<int:pk>/quotas/", views.quota_edit, name="quotas"),
    path("<int:pk>/delegations/", views.delegations, name="delegations"),
]
