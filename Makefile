# The two set-up commands from the README: `make run` and `make test`.
# Both are idempotent: a second call only does what changed.
PORT ?= 8501
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps

.PHONY: run test bench screenshots clean

run: $(STAMPS)/install $(STAMPS)/dataset
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

test: $(STAMPS)/install-test $(STAMPS)/dataset $(STAMPS)/browser
	$(PY) -m pytest

bench: $(STAMPS)/install-test $(STAMPS)/dataset
	$(PY) bench/run_all.py

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMPS)/install: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/install-test: pyproject.toml $(STAMPS)/install
	$(PY) -m pip install --quiet -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/dataset: scripts/setup_dataset.sh
	bash scripts/setup_dataset.sh
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/browser: scripts/setup_browser.sh $(STAMPS)/install-test
	bash scripts/setup_browser.sh $(PY)
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(STAMPS) build .pytest_cache
