# Daily commands: make run, make test, make lint, make bench. Each installs what it needs first:
# the missing Debian packages (scripts/system-packages; those of the tests too for make test), then
# the Python packages in .venv and the npm ones in node_modules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SCALE ?= default
# Python keeps compiled modules (__pycache__) even where the environment says otherwise: without them,
# each test process and each process a test starts compiles Guichet and the tests again.
unexport PYTHONDONTWRITEBYTECODE
PYTEST_ARGS ?=

.PHONY: install system-packages run serve test lint format bench lock clean schema

# Only checks when nothing is missing; installs through apt-get (as root, or with sudo) otherwise.
SYSTEM_PROFILE := $(if $(filter test,$(MAKECMDGOALS)),test,run)
system-packages:
	@PYTHON="$(PYTHON)" bash scripts/system-packages $(SYSTEM_PROFILE)

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# axe-core (npm) audits the pages' accessibility in the browser tests.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund --silent
	touch $(AXE)

install: system-packages $(STAMP) $(AXE)

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py acts_dev_ca
	$(BIN)/python manage.py serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest -n 2 --maxschedchunk 1 $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run --scale $(SCALE)

# Refresh the pinned versions after changing the dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade -e ".[dev]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v "^-e" > requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static

# The published JSON Schema of procedure documents (a test checks that it matches the code).
schema: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py procedure_export --schema -o docs/procedure.schema.json
