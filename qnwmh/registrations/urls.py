from django.urls import path

from qnwmh.registrations.views import collective, review

app_name = "registrations"
urlpatterns = [
    # The collective (我的申请, the form, the submission).
    path("mine/", collective.mine, name="mine"),
    path("mine/<int:cycle_id>/", collective.edit, name="edit"),
    path("mine/<int:cycle_id>/eligibility/", collective.eligibility_panel, name="eligibility"),
    path("mine/<int:cycle_id>/submit/", collective.confirm_submit, name="confirm_submit"),
    # Reviewers (queue, decisions, bulk pre-approval, 进度查询, 汇总表).
    path("queue/", review.queue, name="queue"),
    path("bulk-pre-approve/", review.bulk_pre_approve, name="bulk_pre_approve"),
    path("progress/", review.progress, name="progress"),
    path("export/", review.export, name="export"),
    # Both: one registration.
    path("<int:pk>/", review.detail, name="detail"),
    path("<int:pk>/<slug:slug>/", review.act, name="act"),
]
