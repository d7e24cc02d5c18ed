# The two commands a newcomer needs: `make run` (gunicorn; `kb run` is the development server)
# and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export KB_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test install translations extract lint bench clean

run: $(VENV)/.installed translations
	$(BIN)/kb db upgrade
	$(BIN)/kb seed
	$(BIN)/kb index check || $(BIN)/kb index rebuild
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c python:kb.serving 'kb:create_app()'

# The Nu HTML Checker for the HTML validity test (npm's vnu-jar; Java runs it).
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar

test: $(VENV)/.installed-test translations $(VNU_JAR)
	KB_VNU_JAR=$(abspath $(VNU_JAR)) $(BIN)/pytest -q

$(VNU_JAR):
	npm install --no-save --no-audit --no-fund --silent --prefix $(VENV)/vnu vnu-jar@$(VNU_VERSION)

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Compiled catalogues are build output: made from the .po files, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -D messages >/dev/null \
		&& echo "Compiled translations in translations/"

# After changing user-facing strings: extract them and merge into every catalogue.
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _ -k N_ -o messages.pot --no-location --sort-output \
		--project="Fair Recruitment Practices Knowledge Base" --msgid-bugs-address="the catalogue's editors" .
	$(BIN)/pybabel update -i messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/search_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
