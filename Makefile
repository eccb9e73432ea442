# API Design Lab. The two commands most people need:
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test (library + every notebook under nbval)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 300

.PHONY: lab test test-unit test-notebooks install system-deps execute strip bench clean

# The stamp is newer than requirements.txt once installed, so a second run skips pip entirely.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=. notebooks/00-start-here.ipynb

test: $(STAMP)
	$(PY) -m pytest tests notebooks $(NBVAL)

test-unit: $(STAMP)
	$(PY) -m pytest tests

test-notebooks: $(STAMP)
	$(PY) -m pytest notebooks $(NBVAL)

# Optional system packages: redis-server runs the real-Redis test lane (skipped, with a reason, without it).
system-deps:
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server; }

# Re-run every notebook in place (for authors and instructors refreshing outputs).
execute: $(STAMP)
	$(PY) tools/notebooks.py execute notebooks/*.ipynb

strip: $(STAMP)
	$(PY) tools/notebooks.py strip notebooks/*.ipynb

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
