# Two entry points for a fresh machine (see README): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Python packages from requirements.txt; MathJax and CodeMirror from the npm registry (pinned in
# package.json); the editor bundled by esbuild into build/editor/.
install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	npm install --no-save --silent
	npm run --silent build

install-dev: install
	$(BIN)/pip install -q -r requirements-dev.txt

# Install, migrate, add demo content if the site is empty, and serve on http://127.0.0.1:8000.
serve: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# SQLite by default; set DATABASE_URL=postgres://... to run the same suite on PostgreSQL.
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
