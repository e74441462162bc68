from django.urls import path

from qnwmh.collectives import views

app_name = "collectives"
urlpatterns = [
    path("", views.collective_list, name="list"),
    path("new/", views.collective_create, name="create"),
    path("new/candidates/", views.candidates, name="candidates"),
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("transfer-requests/", views.transfer_requests, name="transfer_requests"),
    path(
        "transfer-requests/<int:pk>/accept/",
        views.transfer_request_accept,
        name="transfer_request_accept",
    ),
    path(
        "transfer-requests/<int:pk>/decline/",
        views.transfer_request_decline,
        name="transfer_request_decline",
    ),
    path("<slug:code>/", views.collective_detail, name="detail"),
    path("<slug:code>/rename/", views.rename, name="rename"),
    path("<slug:code>/details/", views.update_details, name="update_details"),
    path("<slug:code>/transfer/", views.transfer, name="transfer"),
    path("<slug:code>/unfreeze/", views.unfreeze, name="unfreeze"),
    path("<slug:code>/reset-password/", views.reset_password, name="reset_password"),
    path("<slug:code>/unlock/", views.unlock, name="unlock"),
    path("<slug:code>/delete/", views.delete, name="delete"),
]
