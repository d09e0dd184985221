# The two set-up commands from the README: `make run` and `make test`.
# Both are idempotent: a second call only does what changed.
PORT ?= 8501
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps

.PHONY: run test check bench screenshots messages clean cluster cluster-stop

run: $(STAMPS)/install $(STAMPS)/dataset $(STAMPS)/catalogs
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

# Two workers, a test file each at a time: the browser and AppTest suites spend much of their time waiting
# on a server, a page or a training thread, so two run in the time of about one. The files go out in the
# order tests/conftest.py gives them (the longest browser files first); xdist's own reorder, by number of
# tests per file, would leave the long browser files to the end.
# The set-up's steps run side by side (-j3): pip installs while apt fetches the dataset, Chromium and the fonts.
TEST_SETUP := $(STAMPS)/install-test $(STAMPS)/dataset $(STAMPS)/catalogs $(STAMPS)/browser
# PYTEST_ARGS adds pytest options to either tier, e.g. make test PYTEST_ARGS=--durations=30
test:
	@$(MAKE) --no-print-directory -j3 $(TEST_SETUP)
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The fast tier for the edit-test loop: unit and AppTest files, no Chromium, no Ray head, no real training
# (the markers in pyproject.toml; tests/conftest.py sets browser and ray). `make test` stays the whole suite.
check:
	@$(MAKE) --no-print-directory -j3 $(STAMPS)/install-test $(STAMPS)/dataset $(STAMPS)/catalogs
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not browser and not ray and not slow" $(PYTEST_ARGS)

bench: $(STAMPS)/install-test $(STAMPS)/dataset
	$(PY) bench/run_all.py

# A local Ray cluster to try the Ray backend (README, "Serving a class"): runs then train in its workers.
# `ray stop` ends every Ray cluster this user started on the machine; the tests start and end their own.
CLUSTER_CPUS ?= 2
cluster: $(STAMPS)/install-ray $(STAMPS)/dataset $(STAMPS)/catalogs
	$(VENV)/bin/ray start --head --num-cpus=$(CLUSTER_CPUS) --include-dashboard=false --disable-usage-stats
	@echo
	@echo "A Ray head runs here with $(CLUSTER_CPUS) CPUs. Serve cnnviz with its runs on it:"
	@echo "    export CNNVIZ_RAY_ADDRESS=auto"
	@echo "    make run"
	@echo "(or in one line: CNNVIZ_RAY_ADDRESS=auto make run). Stop the cluster with: make cluster-stop"

cluster-stop:
	$(VENV)/bin/ray stop

$(STAMPS)/install-ray: pyproject.toml $(STAMPS)/install
	$(PY) -m pip install --quiet --no-compile -e '.[ray]'
	@mkdir -p $(STAMPS) && touch $@

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# --no-compile: Python compiles the few modules it imports on first use, not all of PyTorch's (about 40 s saved).
$(STAMPS)/install: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --no-compile -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/install-test: pyproject.toml $(STAMPS)/install
	$(PY) -m pip install --quiet --no-compile -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/dataset: scripts/setup_dataset.sh
	bash scripts/setup_dataset.sh
	@mkdir -p $(STAMPS) && touch $@

# The translations: .po files are reviewed text in the repository; the .mo files gettext reads are built here.
CATALOGS := $(wildcard cnnviz/locale/*/LC_MESSAGES/cnnviz.po)
$(STAMPS)/catalogs: $(CATALOGS) $(STAMPS)/install
	$(VENV)/bin/pybabel compile --statistics -d cnnviz/locale -D cnnviz
	@mkdir -p $(STAMPS) && touch $@

# For maintainers: collect the strings marked with _() / N_() and merge them into each language's .po.
messages: $(STAMPS)/install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k tr:2 -k gettext:2 --no-location --sort-output --width 120 \
		--project cnnviz --version 0.1 -o cnnviz/locale/cnnviz.pot .
	$(VENV)/bin/pybabel update -i cnnviz/locale/cnnviz.pot -d cnnviz/locale -D cnnviz --no-fuzzy-matching --ignore-obsolete --width 120

# Debian's packages first, after the dataset's (apt installs one at a time), needing no venv; then the check
# (or Playwright's own Chromium elsewhere), once playwright is installed.
$(STAMPS)/browser-system: scripts/setup_browser.sh $(STAMPS)/dataset
	bash scripts/setup_browser.sh --system
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/browser: scripts/setup_browser.sh $(STAMPS)/browser-system $(STAMPS)/install-test
	bash scripts/setup_browser.sh $(PY)
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(STAMPS) build .pytest_cache
