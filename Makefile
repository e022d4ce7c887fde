# docqa: `make install` sets up .venv, `make run` starts docqa, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,eval]'
	touch $(STAMP)

install: $(STAMP)

# The Discord bot when a token is configured (as the bot reads its settings), otherwise the
# terminal console; invalid settings stop here with their one-line error.
run: $(STAMP)
	@$(PY) -m bot --has-token; case $$? in 0) exec $(PY) -m bot;; \
		1) exec $(PY) -m bot --console;; *) exit 2;; esac

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
