"""The files of deploy/: the nginx template is valid nginx and lets the largest upload through,
the gunicorn configuration names only real gunicorn settings, the cluster script parses."""

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from gunicorn.config import KNOWN_SETTINGS

from qnwmh.collectives.imports.sources import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _render(tmp_path: Path) -> Path:
    """The template with its placeholders filled in, as deploy/cluster does."""
    for name in ("run", "log", "tmp", "static"):
        (tmp_path / name).mkdir()
    values = {
        "USER_DIRECTIVE": "",
        "RUN_DIR": tmp_path / "run",
        "LOG_DIR": tmp_path / "log",
        "TEMP_DIR": tmp_path / "tmp",
        "STATIC_ROOT": tmp_path / "static",
        "PORT": "18100",
        "APP1_PORT": "18101",
        "APP2_PORT": "18102",
    }
    text = (DEPLOY / "nginx" / "cluster.conf.template").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    return conf


def test_nginx_template_has_only_known_placeholders(tmp_path):
    assert re.findall(r"@[A-Z0-9_]+@", _render(tmp_path).read_text()) == []


def test_nginx_template_lets_the_largest_upload_through(tmp_path):
    text = _render(tmp_path).read_text()
    # The server-wide limit (pages); /api/ has its own, Django's (tests/security/test_bad_input.py).
    size, _api = re.findall(r"client_max_body_size (\d+)m;", text)
    # The collectives import takes files up to MAX_BYTES; the multipart envelope comes on top.
    assert MAX_BYTES < int(size) * 1024 * 1024 <= MAX_BYTES + 2 * 1024 * 1024


def test_nginx_template_passes_the_proxy_headers(tmp_path):
    text = _render(tmp_path).read_text()
    for header in (
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ):
        assert header in text


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed (make cluster does)")
def test_nginx_template_is_valid_nginx(tmp_path):
    conf = _render(tmp_path)
    result = subprocess.run(  # noqa: S603 (nginx, fixed arguments)
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _self_signed_certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subject = ["-subj", "/CN=qnwmh.example.cn", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(  # noqa: S603 (openssl, fixed arguments)
        [shutil.which("openssl"), *request, *subject],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(
    not (os.path.exists(NGINX) and shutil.which("openssl")), reason="nginx or openssl missing"
)
def test_nginx_production_site_is_valid_nginx(tmp_path):
    cert, key = _self_signed_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "qnwmh.conf").read_text()
    site = site.replace("/etc/ssl/qnwmh/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/qnwmh/privkey.pem", str(key))
    temp = tmp_path / "temp"
    temp.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\nhttp {{\n"
        f" include /etc/nginx/mime.types;\n client_body_temp_path {temp};\n"
        f" proxy_temp_path {temp};\n{site}\n}}\n"
    )
    result = subprocess.run(  # noqa: S603 (nginx, fixed arguments)
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "client_max_body_size 21m;" in site


def test_gunicorn_config_names_only_gunicorn_settings(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    values = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    names = {k for k, v in values.items() if not k.startswith("_") and not callable(v)}
    names -= {"multiprocessing", "os"}
    assert names <= {setting.name for setting in KNOWN_SETTINGS}
    assert (values["workers"], values["threads"], values["worker_class"]) == (3, 4, "gthread")
    assert values["wsgi_app"] == "qnwmh.wsgi:application"
    assert values["control_socket_disable"] is True


def test_gunicorn_config_refuses_a_bad_number(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY='many' is not an integer"):
        runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_cluster_script_parses_and_names_its_commands():
    script = DEPLOY / "cluster"
    subprocess.run(["bash", "-n", str(script)], check=True)  # noqa: S603, S607
    result = subprocess.run([str(script)], capture_output=True, text=True)  # noqa: S603
    assert (result.returncode, result.stderr) == (
        2,
        "usage: deploy/cluster start|stop|status|reset\n",
    )
