"""gunicorn settings for a qnwmh app server (docs/deploy.md, "App servers").

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py

Values come from the environment so one file serves every machine; the command line overrides
them (deploy/cluster passes --bind, --pid, the log files and --daemon for its two servers).

Sizing: requests are short (imports and exports run on the Celery worker), but a login spends
about 0.1 s of CPU in Argon2 and a page waits on PostgreSQL. gthread workers with a few threads
overlap that waiting; one worker per core plus one, two threads each, suits a 2-core machine
(3 workers x 2 threads = 6 requests at once). Each thread holds its own database connection.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SystemExit(f"{name}={value!r} is not an integer") from exc


wsgi_app = "qnwmh.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)
# A worker stuck this long is killed and replaced; nothing legitimate takes 60 s in a request.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
# nginx keeps connections to the app servers open (upstream keepalive).
keepalive = 15
# Replace workers now and then so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on the same machine may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Several instances per machine: gunicorn's control socket (one fixed path by default) is unused.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "qnwmh-" + os.environ.get("APP_SERVER_NAME", "app")
