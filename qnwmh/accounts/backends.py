"""The authentication backend of pages: Django's ModelBackend, reading the user's unit in the
same query as the user.

Every admin page scopes its rows by `request.user.unit` (visible_to, the header shows the
unit's name), so the unit is read on nearly every request: one query with the user instead of
two (docs/performance.md §3). The login views name this backend explicitly."""

from django.contrib.auth.backends import ModelBackend

from qnwmh.accounts.models import User

# The dotted path the login views pass to auth.login; it must be in AUTHENTICATION_BACKENDS.
PATH = "qnwmh.accounts.backends.UserWithUnitBackend"


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User.objects.select_related("unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
