from django.urls import path

from qnwmh.units import picker, views

app_name = "units"
urlpatterns = [
    path("", views.index, name="index"),
    path("pick/", picker.pick, name="pick"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.create_child, name="create_child"),
    path("<int:pk>/admins/", views.create_admin, name="create_admin"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("accounts/<int:pk>/unlock/", views.unlock, name="unlock"),
]
