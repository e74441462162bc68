from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationState(models.TextChoices):
    """../shared/API.md, Registration states."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Registered (awaiting review)")  # 报备集体
    PRE_APPROVED = "pre_approved", _("Passed preliminary review")  # 初审通过
    APPROVED = "approved", _("Creating collective")  # 创建集体
    RETURNED = "returned", _("Returned")  # 退回
    CANCELLED = "cancelled", _("Creation qualification cancelled")  # 取消创建资格
    NOMINATED = "nominated", _("Nominated")
    PUBLICIZED = "publicized", _("Publicly announced")
    NAMED = "named", _("Named")
    NOT_NAMED = "not_named", _("Not named")


S = RegistrationState
# The collective may edit its profile and plan only in these states.
EDITABLE = (S.DRAFT, S.RETURNED)
# Waiting for a reviewer.
UNDER_REVIEW = (S.SUBMITTED, S.PRE_APPROVED)
# Counted as "registered" in progress (报备集体 and beyond, not drafts, returns or cancels).
REGISTERED = (
    S.SUBMITTED,
    S.PRE_APPROVED,
    S.APPROVED,
    S.NOMINATED,
    S.PUBLICIZED,
    S.NAMED,
    S.NOT_NAMED,
)
# Counted as "approved" (创建集体) in progress.
APPROVED_OR_LATER = (S.APPROVED, S.NOMINATED, S.PUBLICIZED, S.NAMED, S.NOT_NAMED)
# One registration per collective per cycle stays alive in these states.
ACTIVE = (
    S.DRAFT,
    S.SUBMITTED,
    S.PRE_APPROVED,
    S.APPROVED,
    S.RETURNED,
    S.NOMINATED,
    S.PUBLICIZED,
    S.NAMED,
    S.NOT_NAMED,
)


class Action(models.TextChoices):
    """The decisions that move a registration. There is no generic "set state": each action has
    one target state and the states it may start from (TRANSITIONS below)."""

    SUBMIT = "submit", _("Submit")  # 提交
    PRE_APPROVE = "pre_approve", _("Pass preliminary review")  # 初审通过
    APPROVE = "approve", _("Approve")  # 审核通过
    RETURN = "return", _("Return")  # 退回
    CANCEL = "cancel", _("Cancel creation qualification")  # 取消创建资格


# action → (states it may start from, state it ends in): the arrows workflow.py declares.
# Who may act is in rules.py.
TRANSITIONS = {
    Action.SUBMIT: (EDITABLE, S.SUBMITTED),
    Action.PRE_APPROVE: ((S.SUBMITTED,), S.PRE_APPROVED),
    Action.APPROVE: (UNDER_REVIEW, S.APPROVED),
    Action.RETURN: (UNDER_REVIEW, S.RETURNED),
    Action.CANCEL: ((S.SUBMITTED, S.PRE_APPROVED, S.APPROVED), S.CANCELLED),
}
# Actions that need a written reason.
REASON_REQUIRED = (Action.RETURN, Action.CANCEL)

# The CSS badge of each state (app.css: .badge ok / warn / bad).
BADGE = {
    S.DRAFT: "",
    S.SUBMITTED: "warn",
    S.PRE_APPROVED: "warn",
    S.APPROVED: "ok",
    S.RETURNED: "bad",
    S.CANCELLED: "bad",
    S.NOMINATED: "ok",
    S.PUBLICIZED: "ok",
    S.NAMED: "ok",
    S.NOT_NAMED: "",
}
