"""MEDIA_STORAGE: the shared directory by default, an S3-compatible bucket through
django-storages with MEDIA_STORAGE=s3. No S3 server is needed: the configuration is checked as
built, and django-storages is shown to accept it (building a storage contacts no server)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from storages.backends.s3 import S3Storage

from qnwmh.core.media_storage import media_storage
from qnwmh.env import ConfigError

ROOT = Path(__file__).resolve().parents[2]
S3_VARIABLES = (
    "MEDIA_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_LOCATION",
)
MINIO = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "qnwmh-media",
    "AWS_S3_ENDPOINT_URL": "https://oss.example.cn:9000",
    "AWS_S3_REGION_NAME": "cn-central-1",
    "AWS_S3_ADDRESSING_STYLE": "path",
    "AWS_LOCATION": "/prod/",
}
MINIO_OPTIONS = {
    "bucket_name": "qnwmh-media",
    "endpoint_url": "https://oss.example.cn:9000",
    "region_name": "cn-central-1",
    "addressing_style": "path",
    "location": "prod",
    "signature_version": "s3v4",
    "default_acl": None,
    "querystring_auth": True,
    "querystring_expire": 300,
    "file_overwrite": False,
}


@pytest.fixture
def environment(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_variables


def test_media_storage_is_the_shared_directory_by_default(environment):
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_media_storage_filesystem_by_name(environment):
    environment(MEDIA_STORAGE="Filesystem")
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_media_storage_s3_builds_the_django_storages_backend(environment):
    environment(**MINIO)
    assert media_storage() == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": MINIO_OPTIONS,
    }


def test_media_storage_s3_with_only_a_bucket_uses_aws_defaults(environment):
    environment(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="qnwmh-media")
    options = media_storage()["OPTIONS"]
    assert (options["endpoint_url"], options["region_name"], options["location"]) == (
        None,
        None,
        "",
    )
    assert options["addressing_style"] == "auto"


def test_media_storage_s3_keeps_credentials_out_of_the_settings(environment, monkeypatch):
    environment(**MINIO)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    assert "AKIAEXAMPLE" not in json.dumps(media_storage())
    assert "secret-example" not in json.dumps(media_storage())


def test_media_storage_s3_without_a_bucket_fails_loudly(environment):
    environment(MEDIA_STORAGE="s3")
    with pytest.raises(ConfigError, match="AWS_STORAGE_BUCKET_NAME"):
        media_storage()


def test_media_storage_unknown_kind_fails_loudly(environment):
    environment(MEDIA_STORAGE="nfs")
    with pytest.raises(ConfigError, match="MEDIA_STORAGE='nfs'"):
        media_storage()


def test_media_storage_unknown_addressing_style_fails_loudly(environment):
    environment(**{**MINIO, "AWS_S3_ADDRESSING_STYLE": "dns"})
    with pytest.raises(ConfigError, match="AWS_S3_ADDRESSING_STYLE='dns'"):
        media_storage()


def test_s3_options_are_accepted_by_django_storages(environment, monkeypatch):
    environment(**MINIO)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    storage = S3Storage(**media_storage()["OPTIONS"])
    url = urlsplit(storage.url("private/jobs/out/2026/11/汇总表.xlsx"))
    # A short-lived signed URL on the configured endpoint, path-style, under the prefix.
    assert (url.scheme, url.netloc) == ("https", "oss.example.cn:9000")
    assert url.path.startswith("/qnwmh-media/prod/private/jobs/out/2026/11/")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Credential"][0].startswith("AKIAEXAMPLE/")
    assert (storage.default_acl, storage.file_overwrite) == (None, False)


def test_settings_storages_default_follows_media_storage():
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    base = {k: v for k, v in os.environ.items() if k not in S3_VARIABLES}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "qnwmh.settings", **MINIO},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": MINIO_OPTIONS,
    }
