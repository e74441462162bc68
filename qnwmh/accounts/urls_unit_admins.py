"""The admin accounts' pages under /units/: joined with units/urls.py into the one "units"
namespace in qnwmh/urls.py (units itself does not import accounts)."""

from django.urls import path

from qnwmh.accounts import views_unit_admins as views

urlpatterns = [
    path("<int:pk>/admins/", views.create_admin, name="create_admin"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("accounts/<int:pk>/unlock/", views.unlock, name="unlock"),
]
