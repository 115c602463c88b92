# Two entry points for a fresh machine (see README): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test install install-dev messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Python packages from requirements.txt; MathJax and CodeMirror from the npm registry (pinned in
# package.json); the editor bundled by esbuild into build/editor/; the interface's translations
# compiled from locale/*/LC_MESSAGES/django.po (GNU gettext).
install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	npm install --no-save --silent
	npm run --silent build
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules --ignore=build

# After adding or changing marked strings: refresh the English catalogue, then fill in every
# new or fuzzy msgstr in locale/en/LC_MESSAGES/django.po (tests/test_translations.py lists
# the ones still missing) and run `make install` (or compilemessages) again.
messages: $(BIN)/python
	$(BIN)/python manage.py makemessages -l en --no-obsolete --add-location file \
		--ignore=.venv --ignore=node_modules --ignore=data --ignore=bench --ignore=tests \
		--ignore=build

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
