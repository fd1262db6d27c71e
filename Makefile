# Yhteistyö. `make run` starts the app with demo data; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# Extra pytest arguments, e.g. `make test ARGS="-k consent"`.
ARGS ?=

.PHONY: install messages messages-check run demo-code test smoke bench load lint format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Translations are compiled from the committed .po files (needs gettext's msgfmt).
messages: install
	DEBUG=1 $(PY) manage.py compilemessages -v0 --ignore=.venv

# Every string marked for translation in the code is in the committed .po files. makemessages
# rewrites .po files, so the extraction runs on a temporary copy; msgcmp compares.
messages-check: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -r manage.py kelayhteistyo cases meetings feedback overview templates locale "$$tmp" && \
	(cd "$$tmp" && DEBUG=1 $(CURDIR)/$(PY) manage.py makemessages -l fi --keep-pot -v0) && \
	for lang in fi sv; do msgcmp locale/$$lang/LC_MESSAGES/django.po "$$tmp/locale/django.pot" || exit 1; done

run: messages
	DEBUG=1 $(PY) manage.py migrate -v0
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 SAML_TEST_IDP=1 $(PY) manage.py saml_test_idp
	@echo "\nOpen http://127.0.0.1:8000 and log in with one of the demo logins above."
	@echo "A Celery worker with beat runs alongside (no Redis needed); e-mails are printed here.\n"
	DEBUG=1 NOTIFICATION_SWEEP_SECONDS=30 DASHBOARD_REFRESH_SECONDS=60 $(VENV)/bin/celery -A kelayhteistyo worker -B \
	  --pool=solo -l warning -s .celery-queue/beat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 SAML_TEST_IDP=1 $(PY) manage.py runserver 127.0.0.1:8000

# The current two-factor code of the demo coordinator and admin.
demo-code: install
	@DEBUG=1 $(PY) manage.py demo_code

# Branch coverage is printed after the tests; CI (.ci/run) holds it at a floor.
test: messages
	$(VENV)/bin/pytest -n 2 --cov --cov-report=term $(ARGS)

# The production shape without Docker (scripts/smoke.py; README "Production shape"): PostgreSQL
# with two roles, Redis, gunicorn, a Celery worker and beat, a real SMTP server; a browser's flow
# over HTTP, SIGTERM, a restore drill. Needs PostgreSQL (SMOKE_PG or DATABASE_URL) and Redis.
smoke: messages
	$(PY) scripts/smoke.py

# Benchmarks on PostgreSQL (not part of `make test`): ratios measured side by side in one run;
# every figure also in bench-results.json, and one summary table at the end.
bench: install
	$(PY) bench/results.py --reset
	$(PY) bench/pdf.py
	$(PY) bench/sweep.py
	$(PY) bench/dashboard.py
	$(PY) bench/pages.py
	$(PY) bench/results.py

# Load test (Locust, not part of `make test`): gunicorn with production settings on the
# national-scale database of `make bench`; LOAD_TIME=120s LOAD_USERS_N=16 by default.
load: install
	$(PY) bench/load.py

# The models and services of every app are type-checked (the rules the rest relies on).
TYPED := $(wildcard */models.py */models/*.py */services.py */services/*.py) kelayhteistyo/access.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=1 $(VENV)/bin/mypy $(TYPED)
	DEBUG=1 DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory messages-check

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
