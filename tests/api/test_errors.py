"""The API's error format reaches past its operations: Django's own 404 under /api/ is JSON."""

import pytest

pytestmark = pytest.mark.django_db


# Found by the API fuzzer (tests/security/test_fuzz_api.py): a non-numeric id of an {int:…}
# route, or an unknown path, got Django's HTML 404 page.
@pytest.mark.parametrize(
    "path", ["/registrations/abc", "/me/registrations/1x", "/nothing", "/cycles/1/nothing"]
)
def test_unmatched_api_path_is_a_json_404(world, api_client, path):
    response = api_client.as_user(world.users["hunan"]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_a_page_404_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# Found by the API fuzzer: ids beyond 64 bits reached the database (SQLite: OverflowError).
@pytest.mark.parametrize("path", [f"/units?parent={2**70}", f"/units/{2**70}"])
def test_unit_ids_beyond_64_bits_are_400(world, api_client, path):
    response = api_client.as_user(world.users["hunan_system"]).get(path)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
