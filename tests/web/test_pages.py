import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_asset_is_loaded_from_outside():
    """Works in an intranet: no template references a CDN or any other host."""
    offenders = []
    for template in ROOT.glob("qnwmh/**/templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(r'(?:src|href)="((?:https?:)?//[^"]+)"', text):
            offenders.append(f"{template.relative_to(ROOT)}: {match.group(1)}")
    assert offenders == []


def test_no_inline_script_or_style_in_templates():
    offenders = []
    for template in ROOT.glob("qnwmh/**/templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_static_assets_are_served_by_the_app(client):
    from django.templatetags.static import static

    for asset in ["qnwmh/app.css", "vendor/htmx/htmx-2.0.11.min.js"]:
        response = client.get(static(asset))
        assert response.status_code == 200, asset


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get("/").url == "/accounts/login/?next=/"
    assert client.get("/units/").url == "/accounts/login/?next=/units/"
