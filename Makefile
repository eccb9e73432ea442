# API Design Lab. The two commands most people need:
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test (library + every notebook under nbval)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-course
DEV_STAMP := $(VENV)/.installed-dev
PYTHONS ?= 3.11 3.12 3.13 3.14
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 300

.PHONY: student test-student grade grade-samples badges lab test lint-deps test-unit test-notebooks test-browser test-latest test-pythons install install-dev system-deps execute strip clean-outputs reset-exercises site slides bench clean

# A stamp is newer than its requirement files once installed, so a second run installs nothing.
# tools/venv.py stops early on a Python older than 3.11 and uses uv when it can (pip otherwise).
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) tools/venv.py --python $(PYTHON) $(VENV) requirements.txt
	@touch $(STAMP)

# The learner's environment plus the test and benchmark tools.
$(DEV_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) tools/venv.py --python $(PYTHON) $(VENV) requirements-dev.txt
	@touch $(STAMP) $(DEV_STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

# The OpenAPI linters (Spectral with the OWASP ruleset, Redocly CLI) from npm, pinned by tools/lint/package-lock.json,
# for apidesign.server.contract_lint. Without npm this does nothing and that lane skips, saying why.
LINT_STAMP := tools/lint/node_modules/.installed
$(LINT_STAMP): tools/lint/package.json tools/lint/package-lock.json
	@command -v npm >/dev/null || exit 0; \
	  cd tools/lint && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed

lint-deps: $(LINT_STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. $(AS_ROOT) notebooks/00-start-here.ipynb

test: $(DEV_STAMP) lint-deps
	$(PY) -m pytest tests notebooks $(NBVAL)

test-unit: $(DEV_STAMP) lint-deps
	$(PY) -m pytest tests

test-notebooks: $(DEV_STAMP)
	$(PY) -m pytest notebooks $(NBVAL)

# JupyterLab in headless Chromium: every notebook runs, every widget renders, controls redraw plots.
# `make test` includes it; it skips (saying why) where Chromium is not installed.
test-browser: $(DEV_STAMP)
	$(PY) -m pytest tests/browser

# The library's tests on every Python 3.11+ this machine has (python3.X on PATH, or under pyenv), each in
# its own environment (.venv-3.X); a version that is not installed is reported and skipped.
test-pythons:
	@for v in $(PYTHONS); do \
	  py=$$($(PYTHON) tools/venv.py --which $$v); \
	  if [ -z "$$py" ]; then echo "== Python $$v: not installed here, skipped"; continue; fi; \
	  echo "== Python $$v ($$py)"; \
	  $(PYTHON) tools/venv.py --python $$py .venv-$$v requirements-dev.txt || exit 1; \
	  .venv-$$v/bin/python -m pytest tests --ignore=tests/browser -q -p no:cacheprovider || exit 1; \
	done

# Dependency canary (not in CI): newest releases allowed by the lower bounds instead of the pins.
test-latest:
	@test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	cat requirements.txt requirements-dev.txt | grep -v '^-r' | sed -e 's/\[\(.*\)\]==.*/[\1]/' -e 's/==.*//' > .venv-latest/requirements-unpinned.txt
	.venv-latest/bin/python -m pip install --quiet --upgrade -r .venv-latest/requirements-unpinned.txt
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/resolved.txt
	.venv-latest/bin/python -m pytest tests notebooks $(NBVAL)

# Optional system packages: redis-server runs the real-Redis lane, chromium the browser lane, nginx the
# gateway lane, Node.js and npm the OpenAPI lint lane (each is skipped, with the reason shown, without them).
system-deps:
	@command -v redis-server >/dev/null && test -x /usr/bin/chromium && test -x /usr/sbin/nginx || { \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server chromium nginx; }
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

# Re-run every notebook in place (for authors and instructors refreshing outputs).
execute: $(STAMP)
	$(PY) tools/notebooks.py execute notebooks/*.ipynb

strip: $(STAMP)
	$(PY) tools/notebooks.py strip notebooks/*.ipynb

# Back to the exercise state: outputs cleared, every explanation kept (`make execute` restores them).
clean-outputs: $(STAMP)
	$(PY) tools/notebooks.py clear notebooks/*.ipynb

# One notebook back to its exercise state (answers reset, explanations and your own cells kept):
#   make reset-exercises NB=notebooks/03-rate-limiting.ipynb
reset-exercises: $(STAMP)
	$(PY) tools/notebooks.py reset $(NB)

# The course as static HTML in site/ (no Jupyter, no network needed to read it).
site: $(DEV_STAMP)
	$(PY) tools/site.py site

# reveal.js slides from the cells' slide metadata, into site/slides/ (reveal.js comes from npm, once).
slides: $(STAMP)
	$(PY) tools/slides.py site/slides

# The edition a class receives: no solutions, no grader, every exercise at its placeholder (a git repo).
# STUDENT_REPO=https://github.com/OWNER/NAME: where the class will find it, for its Colab and Binder links.
student: $(STAMP)
	$(PY) tools/student.py dist/student $(if $(STUDENT_REPO),--repo $(STUDENT_REPO))

# The student edition, cloned, passes its own `make test` (CI runs this).
test-student: student
	rm -rf build/student-clone && git clone -q dist/student build/student-clone
	$(MAKE) -C build/student-clone test

# Grade a class: one folder per student under SUBMISSIONS, holding their notebooks (see docs/instructor-guide.md).
#   make grade SUBMISSIONS=submissions   ->  grades.csv and grades-summary.csv beside that folder
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-of-student-folders"; exit 2; }
	$(PY) tools/grade.py $(SUBMISSIONS)

# Three sample submissions of the real course (model, partial, empty) and a cheater, graded by tools/grade.py,
# each grade checked against what the submission earned; the folders and CSVs go to build/grading-samples/.
grade-samples: $(STAMP)
	$(PY) tools/grade_samples.py build/grading-samples

# Colab and Binder: the course's published address (pyproject.toml, [project.urls] Repository) written into the
# README's badges and every notebook's setup cell. Run once with REPO when the course is published, and without
# REPO after adding a notebook (it gets the setup cell):  make badges REPO=https://github.com/OWNER/NAME
badges: $(STAMP)
	$(PY) tools/badges.py $(if $(REPO),--repo $(REPO))

bench: $(DEV_STAMP)
	@missed=""; for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || missed="$$missed $$b"; done; \
	if [ -n "$$missed" ]; then echo "targets missed or failed in:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) .venv-3.* .venv-uv .venv-latest .pytest_cache .hypothesis
