import pytest


@pytest.fixture
def email_on(settings):
    """E-mail configured, on Django's in-memory backend (mail.outbox)."""
    settings.NOTIFICATIONS_EMAIL = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def reviewer(world):
    """The city admin who reviews the county's submissions."""
    return world.users["changde"]
