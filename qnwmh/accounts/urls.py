from django.urls import path

from qnwmh.accounts import views, views_security, views_sessions, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("history/", views.history, name="history"),
    path("two-factor/", views_two_factor.two_factor_page, name="two_factor"),
    path("two-factor/setup/", views_two_factor.two_factor_setup, name="two_factor_setup"),
    path("two-factor/confirm/", views_two_factor.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/recovery-codes/", views_two_factor.recovery_codes, name="recovery_codes"),
    path("two-factor/disable/", views_two_factor.two_factor_disable, name="two_factor_disable"),
    path("sessions/", views_sessions.session_list, name="sessions"),
    path("sessions/<int:pk>/end/", views_sessions.session_end, name="session_end"),
    path("sessions/end-others/", views_sessions.sessions_end_others, name="sessions_end_others"),
    path("sessions/end-all/", views_sessions.logout_everywhere, name="logout_everywhere"),
    path("users/", views_security.account_list, name="security_accounts"),
    path("policy/", views_security.policy, name="security_policy"),
    path("users/<int:pk>/", views_two_factor.account_security, name="account_security"),
    path(
        "users/<int:pk>/two-factor/reset/",
        views_two_factor.two_factor_reset,
        name="two_factor_reset",
    ),
    path(
        "users/<int:pk>/sessions/end/",
        views_two_factor.account_sessions_end,
        name="account_sessions_end",
    ),
    path("users/<int:pk>/disable/", views_two_factor.account_disable, name="account_disable"),
    path("users/<int:pk>/enable/", views_two_factor.account_enable, name="account_enable"),
]
