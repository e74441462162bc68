# The README's commands. `make run` sets up and serves the demo; `make test` runs everything.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/dev-lock.txt | sha1sum | cut -c1-12)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qnwmh
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint venv messages clean

# Exactly the locked, hash-checked releases (requirements/dev-lock.txt, `make lock`; pip itself
# and setuptools included), then the project without resolving anything and without a build
# environment fetched from the index.
$(STAMP): pyproject.toml requirements/dev-lock.txt
	@python=$$(scripts/find-python) || exit 1; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi; \
	[ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev-lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: $(STAMP)

messages: venv
	@$(PY) manage.py compilemessages --ignore '.venv' -v0

run: venv messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo
	@echo "qnwmh 正在 http://127.0.0.1:$(PORT)/ 运行（Ctrl-C 停止）"
	@echo "演示环境默认不强制管理员双因素登录（ADMIN_TWO_FACTOR_REQUIRED=1 make run 可开启；生产环境默认开启）。"
	ADMIN_TWO_FACTOR_REQUIRED=$${ADMIN_TWO_FACTOR_REQUIRED:-0} EMAIL_BACKEND=$${EMAIL_BACKEND:-console} $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

test-sqlite: venv messages
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test-postgres: venv messages
	@rm -f var/test-postgres.ok
	@if VENV=$(VENV) TEST_DATABASE_URL=$(TEST_DATABASE_URL) scripts/postgres-available; then \
	  echo "== PostgreSQL: $(TEST_DATABASE_URL)"; \
	  DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS) && mkdir -p var && touch var/test-postgres.ok; \
	else \
	  echo "== PostgreSQL not reachable: skipping the PostgreSQL run"; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

test: lint
	@$(MAKE) --no-print-directory security
	@scripts/browser-deps
	@echo "== SQLite"
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

clean:
	rm -rf $(VENV) staticfiles var/test-postgres.ok

# Issue 5: the figures against same-run baselines on the bench's own PostgreSQL database
# (created and filled when missing; BENCH_COLLECTIVES=100000 for the smaller size). See
# docs/performance.md.
.PHONY: bench
bench: venv
	$(PY) -W ignore::UserWarning -m bench.run

# Several servers on loopback (docs/deploy.md): nginx on 127.0.0.1:8100 in front of two gunicorn
# app servers, a Celery worker, the local PostgreSQL (database qnwmh_cluster) and Redis (db 5).
.PHONY: cluster cluster-stop
cluster: venv messages
	deploy/cluster start

cluster-stop:
	deploy/cluster stop

# The deadline surge (docs/performance.md): locust against the running cluster, 200 users
# aiming at 50 submissions/s for SURGE_SECONDS (600); rows into bench/results.json.
.PHONY: surge
surge: venv
	$(PY) -m bench.surge.run

# --- The adversarial suite and dependency hygiene (tests/security, docs/security.md) ----------
FUZZ_EXAMPLES ?= 500
AUDIT := $(VENV)/bin/pip-audit --disable-pip --progress-spinner off
AUDIT_IGNORE := $(foreach id,$(shell grep -o '^[A-Z][A-Za-z0-9-]*' requirements/audit-ignore.txt),--ignore-vuln $(id))

.PHONY: fuzz security lock

# The API fuzzer and the property tests with FUZZ_EXAMPLES examples each, on fresh random seeds.
fuzz: venv messages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -n 2 \
	  tests/security/test_fuzz_api.py tests/security/test_properties.py

# Static analysis of the code (bandit) and known vulnerabilities of every locked dependency
# (pip-audit). The audit runs only where the vulnerability service answers (a canary release
# with known advisories must come back with findings); elsewhere it says loudly it did not run.
security: venv
	$(VENV)/bin/bandit -r qnwmh -c pyproject.toml -q
	@if $(AUDIT) --no-deps -r requirements/audit-canary.txt -f json 2>/dev/null | grep -q '"id"'; then \
	  echo "== pip-audit: requirements/lock.txt, requirements/dev-lock.txt"; \
	  $(AUDIT) --strict --require-hashes $(AUDIT_IGNORE) -r requirements/lock.txt && \
	  $(AUDIT) --strict --require-hashes $(AUDIT_IGNORE) -r requirements/dev-lock.txt; \
	else \
	  echo "!! pip-audit: the vulnerability service does not answer from this machine;" \
	    "dependencies NOT audited (docs/security.md, Dependencies)." >&2; \
	fi

# Refresh the hash-pinned lock files from pyproject.toml (after changing a dependency there).
lock: venv
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  -o requirements/lock.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev \
	  -o requirements/dev-lock.txt pyproject.toml
