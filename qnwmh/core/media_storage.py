"""Where uploaded and generated files live (Django's "default" storage), from the environment.

Every app server and every worker must see the same files: an upload received by one server
is imported by a worker, and the export a worker writes is downloaded through any server. Two
ways to share them:

- MEDIA_STORAGE=filesystem (the default): MEDIA_ROOT, a directory every machine mounts (NFS or
  the like) — or simply local disk when everything runs on one machine;
- MEDIA_STORAGE=s3: a bucket of an S3-compatible object store (AWS S3, MinIO, Aliyun OSS,
  Tencent COS…) through django-storages, named by the AWS_* variables below.

Files are never served from a public URL (qnwmh.core.downloads streams them through the app
after the permission check), so the bucket stays private: no ACL on the objects, signed URLs
only. Credentials are not settings: boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or
an instance role, or ~/.aws) itself, so they never sit in the settings a debug page could show.
"""

import os

from qnwmh.env import ConfigError

FILESYSTEM = "filesystem"
S3 = "s3"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
ADDRESSING_STYLES = ("auto", "path", "virtual")


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def media_storage() -> dict:
    """The STORAGES["default"] entry named by MEDIA_STORAGE."""
    kind = _env("MEDIA_STORAGE").lower() or FILESYSTEM
    if kind == FILESYSTEM:
        return {"BACKEND": FILESYSTEM_BACKEND}
    if kind == S3:
        return {"BACKEND": S3_BACKEND, "OPTIONS": s3_options()}
    raise ConfigError(f"MEDIA_STORAGE={kind!r} is not one of {FILESYSTEM}, {S3}")


def s3_options() -> dict:
    """django-storages S3Storage options from AWS_STORAGE_BUCKET_NAME (required),
    AWS_S3_ENDPOINT_URL (S3-compatible services), AWS_S3_REGION_NAME, AWS_S3_ADDRESSING_STYLE
    (path for MinIO and most self-hosted stores) and AWS_LOCATION (a key prefix)."""
    bucket = _env("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ConfigError("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket's name)")
    style = _env("AWS_S3_ADDRESSING_STYLE").lower() or "auto"
    if style not in ADDRESSING_STYLES:
        raise ConfigError(
            f"AWS_S3_ADDRESSING_STYLE={style!r} is not one of {', '.join(ADDRESSING_STYLES)}"
        )
    return {
        "bucket_name": bucket,
        "endpoint_url": _env("AWS_S3_ENDPOINT_URL") or None,
        "region_name": _env("AWS_S3_REGION_NAME") or None,
        "addressing_style": style,
        "location": _env("AWS_LOCATION").strip("/"),
        "signature_version": "s3v4",
        # Private objects, reachable only through short-lived signed URLs.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        # Like FileSystemStorage: a second upload of the same name gets a new name.
        "file_overwrite": False,
    }
