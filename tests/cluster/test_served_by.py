"""X-Served-By names the app server that answered, when APP_SERVER_NAME is set."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_served_by_header_names_the_app_server(settings):
    settings.APP_SERVER_NAME = "app2"
    response = Client().get("/healthz")
    assert (response.status_code, response["X-Served-By"]) == (200, "app2")


def test_served_by_header_on_redirects_too(settings):
    settings.APP_SERVER_NAME = "app1"
    response = Client().get("/registrations/mine/")
    assert (response.status_code, response["X-Served-By"]) == (302, "app1")


def test_served_by_header_absent_without_a_server_name(settings):
    settings.APP_SERVER_NAME = ""
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert "X-Served-By" not in response.headers
