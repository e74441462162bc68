"""Bad input is never a 500, at any layer (issue 12 #2): a body over Django's limits (413), a
character no text field can store — NUL, a lone surrogate — in any JSON string, key, query
parameter or form field (400, the field named, before the database: PostgreSQL refused NUL
with a DataError), every parser error in the API's 400/413 format, and a Chinese page for
pages. Runs on PostgreSQL in `make test` too, where the NUL used to reach the database."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

UNSTORABLE = "该值包含无法保存的字符（如 NUL）。"
BIG = 6 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB)


def _collective_body(world, **values) -> dict:
    return {"name": "湘运客运班组", "unit": world.changde.pk, "line": "REGION", **values}


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


# --- API: body size -------------------------------------------------------------------------


def test_an_anonymous_body_over_the_limit_is_413_in_the_api_format(world, api_client):
    raw = json.dumps({"username": "x" * BIG, "password": "y"})
    response = api_client.post("/auth/token", raw=raw)
    assert response.status_code == 413
    assert _error(response) == {
        "code": "too_large",
        "message": "请求体过大（最多 5 MB）。",
        "fields": {},
    }


def test_an_authenticated_body_over_the_limit_is_413(world, api_client):
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/collectives", _collective_body(world, phone="1" * BIG))
    assert (response.status_code, _error(response)["code"]) == (413, "too_large")


# --- API: characters no text field stores -----------------------------------------------------


def test_a_nul_in_the_login_body_is_400_naming_the_field(world, api_client):
    response = api_client.post("/auth/token", {"username": "admin\u0000", "password": "x"})
    assert response.status_code == 400
    assert _error(response) == {
        "code": "invalid",
        "message": "请求中包含无法保存的字符（如 NUL）。",
        "fields": {"username": [UNSTORABLE]},
    }


@pytest.mark.parametrize("bad", ["\u0000", "班组\u0000", "\ud800", "a\udfffb"])
def test_an_unstorable_character_in_a_created_collective_is_400(world, api_client, bad):
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/collectives", _collective_body(world, name=bad))
    assert response.status_code == 400
    assert _error(response)["fields"] == {"name": [UNSTORABLE]}


def test_a_nul_in_a_key_or_a_nested_value_is_named(world, api_client):
    api_client.as_user(world.users["hunan"])
    raw = json.dumps({**_collective_body(world), "a\u0000": 1, "list": [{"x": "\u0000"}]})
    response = api_client.post("/collectives", raw=raw)
    assert _error(response)["fields"] == {"a?": [UNSTORABLE], "list.0.x": [UNSTORABLE]}


def test_a_nul_in_a_query_parameter_is_400(world, api_client):
    api_client.as_user(world.users["hunan"])
    response = api_client.get("/collectives", {"q": "湘\u0000"})
    assert response.status_code == 400
    assert _error(response)["fields"] == {"q": [UNSTORABLE]}


@pytest.mark.parametrize(
    "raw", [b"\xff\xfe{}", b'{"username": "\xc3"}', b"{" * 100_000, b'{"a": 1e999999}']
)
def test_bodies_no_parser_reads_are_400(world, api_client, raw):
    response = api_client.post("/auth/token", raw=raw)
    assert (response.status_code, _error(response)["code"]) == (400, "invalid")


@given(
    text=st.text(
        alphabet=st.sampled_from(["\u0000", "\ud800", "\udfff", "a", "班", " "]), min_size=1
    ),
    field=st.sampled_from(["name", "industry", "leader_name", "phone"]),
)
def test_fuzz_unstorable_text_in_any_field_never_500(world, api_client, text, field):
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/collectives", _collective_body(world, **{field: text}))
    assert response.status_code < 500
    if "\u0000" in text or any("\ud800" <= c <= "\udfff" for c in text):
        assert _error(response)["fields"] == {field: [UNSTORABLE]}


# --- Pages -------------------------------------------------------------------------------------


def test_a_nul_in_the_login_form_is_a_chinese_400_page(db):
    response = Client().post("/accounts/login/", {"username": "a\u0000", "password": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求被拒绝" in page and "请求中包含无法保存的字符（如 NUL）。" in page
    assert "username" in page


def test_a_nul_in_a_page_query_is_400(world, login_as):
    response = login_as(world.users["hunan"]).get("/collectives/", {"q": "湘\u0000"})
    assert response.status_code == 400


def test_a_form_over_the_limit_is_a_chinese_413_page(world, login_as):
    response = login_as(world.users["hunan"]).post("/collectives/new/", {"name": "x" * BIG})
    assert response.status_code == 413
    assert "提交的数据过大" in response.content.decode()


def test_too_many_form_fields_is_a_chinese_400_page(db):
    fields = {f"f{i}": "1" for i in range(1200)}
    response = Client().post("/accounts/login/", {**fields, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "无法读取该请求。" in response.content.decode()


# Forms cannot carry a lone surrogate: Django decodes form bodies with replacement characters.
@given(text=st.text(alphabet=st.sampled_from(["\u0000", "\x01", "a", "班"]), min_size=1))
def test_fuzz_unstorable_text_in_the_login_form_never_500(db, text):
    response = Client().post("/accounts/login/", {"username": text, "password": text})
    assert response.status_code in (200, 400, 429)


# --- The proxy's limits match the app's ----------------------------------------------------------


@pytest.mark.parametrize("conf", ["qnwmh.conf", "cluster.conf.template"])
def test_nginx_refuses_api_bodies_at_djangos_limit(conf, settings):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "deploy" / "nginx" / conf).read_text()
    api = re.search(r"location /api/ \{\s*client_max_body_size (\d+)m;", text)
    assert int(api.group(1)) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert '"code": "too_large"' in text
    # Pages: the 20 MB import upload and its multipart envelope.
    assert "client_max_body_size 21m;" in text
