# Chorus: `make run` serves a demo site on SQLite, `make test` runs the suite.
SHELL := /bin/bash
PORT ?= 8000
UV := .tools/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: install run test system-packages checkers screenshots lint check bench messages restore-drill clean stack stack-stop chaos

# uv is installed into .tools/ so that nothing outside the checkout changes
# (and no other Python's uv shim gets in the way).
$(UV):
	@command -v pyenv >/dev/null && pyenv install --skip-existing $$(cat .python-version) 2>/dev/null || true
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(UV)
	$(UV) sync --locked --quiet

run: install
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) loaddemo
	@echo
	@echo "  Chorus is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Confirmation e-mails are written to $(CURDIR)/var/mail/ (readable .log files, one per batch sent)."
	@echo "  Organisers: http://127.0.0.1:$(PORT)/organiser/ as organiser@example.org (password chorus-demo);"
	@echo "  moderation and admin: http://127.0.0.1:$(PORT)/moderation/ as moderator@example.org."
	@echo
	@export DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT); trap 'kill 0' EXIT; \
	$(MANAGE) db_worker --interval 0.5 --no-reload & \
	$(MANAGE) runperiodic & \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# A production-shaped Chorus on this machine, on PostgreSQL (tools/stack): nginx on
# STACK_PORT (8080) in front of two app nodes, PgBouncer, the worker and the periodic
# work on each node (one holds the lease); Redis as the shared cache with STACK_REDIS=1.
stack: install
	@if [ "$${STACK_REDIS:-0}" = 1 ]; then $(UV) sync --locked --quiet --extra redis; fi
	$(PY) tools/stack start

stack-stop:
	$(PY) tools/stack stop

# Kills every kind of process of the stack under load (CHAOS_SECONDS, 60) and fails on
# a lost acknowledged signature, a signer without e-mail, a count drift or a 500.
chaos: install
	$(PY) tools/chaos

# The browser tests drive Debian's Chromium (never a downloaded browser build);
# the catalogue test re-extracts messages with GNU gettext; the restore drill
# (on PostgreSQL) backs up and restores with pg_dump and pg_restore; the page
# checks run the Nu HTML Checker on Java and install their checkers with npm.
system-packages:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	command -v age >/dev/null || missing="$$missing age"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -z "$$missing" ] || { \
	  [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "Install $$missing (Debian: apt-get install $$missing) for the browser, catalogue, restore-drill and sealed-export tests."; }

# axe-core and the Nu HTML Checker (vnu-jar), pinned in package-lock.json; used only by
# the tests (chorus/tests/test_every_page_browser.py), never served to readers.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

checkers: system-packages node_modules/.package-lock.json

test: install checkers
	$(PY) -m pytest $(PYTEST_ARGS)

# Every page of the page checks, in English, Russian and Arabic, at 320 and 1280 px.
screenshots: install checkers
	rm -rf var/screenshots
	CHORUS_SCREENSHOTS=$(CURDIR)/var/screenshots $(PY) -m pytest -q -p no:cacheprovider \
	  chorus/tests/test_every_page_browser.py -k every_page
	@echo "Screenshots: $(CURDIR)/var/screenshots/"

lint: install
	$(PY) -m ruff check .

check: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-value-for-the-check \
	ALLOWED_HOSTS=petitions.example.org EMAIL_HOST=smtp.example.org \
	CHORUS_ENCRYPTION_KEYS=$$(DEBUG=1 $(MANAGE) generatekey) \
	CHORUS_SIGNING_KEY=$$(DEBUG=1 $(MANAGE) generatesigningkey) \
	$(MANAGE) check --deploy --fail-level WARNING

messages: install
	DEBUG=1 $(MANAGE) makemessages --locale ru --locale ar --no-obsolete --no-wrap --ignore '.venv/*' --ignore '.tools/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore 'node_modules/*'
	DEBUG=1 $(MANAGE) compilemessages --ignore '.venv/*' --ignore '.tools/*' --ignore 'node_modules/*'

bench: install
	bench/run

# docs/deploy.md: with DATABASE_URL naming a PostgreSQL server, `make restore-drill` backs up,
# restores and checks made-up data; `make restore-drill BACKUP=file` restores a real backup.
restore-drill: install system-packages
	tools/restore-drill $(BACKUP)

clean:
	rm -rf .venv .tools var staticfiles node_modules
