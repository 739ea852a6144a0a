# Two commands on a fresh machine: `make deck` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: deck test docs docs-serve lint bench mutation mutation-sample clean

deck: $(VENV)/.deps
	$(PY) build.py build

test: $(VENV)/.deps-test node_modules/.deps docs lint
	$(PY) -m pytest

# The documentation site from docs/ into site/; --strict makes a broken link, a missing
# anchor or a page left out of the nav an error. (The variable silences a notice that
# Material prints about its future, which is not about these docs.)
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs
docs: $(VENV)/.deps-docs
	$(MKDOCS) build --strict

# The site on http://127.0.0.1:8000/, rebuilt on every save in docs/.
docs-serve: $(VENV)/.deps-docs
	$(MKDOCS) serve

# Style, the layers of docs/architecture.md and the types: each fails on a wrong-way
# import or an untyped function.
lint: $(VENV)/.deps-test
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

# The benchmark (docs/performance.md); `make bench SIZES=38,1000` for a quicker run.
SIZES ?= 38,1000,10000,100000
bench: $(VENV)/.deps
	$(PY) bench/run.py --sizes $(SIZES)

# Mutation testing (docs/testing.md). `make mutation` alone: a fresh full run, then the
# score per module. `make mutation MODULES="package.blockzip release.diff"`: only those
# modules' mutants (dotted paths under deckbuild/), reusing the test-to-function map of an
# earlier run in mutants/ when the sources it was made from have not changed. The property
# tests run the same examples for every mutant, as many as on a laptop under CI.
MODULES ?=
MUTMUT := env -u CI HYPOTHESIS_PROFILE=mutation nice -n 10 $(PY) -m mutmut
mutation: $(VENV)/.deps-test
	$(if $(MODULES),,rm -rf mutants)
	$(MUTMUT) run --max-children $$(nproc 2>/dev/null || echo 2) \
		$(foreach m,$(MODULES),"deckbuild.$(m).*")
	$(PY) tests/mutation_report.py $(MODULES)

# A sample of the mutants of every mutated module, drawn with the commit as the seed, cut
# off after MUTATION_BUDGET seconds; fails on a survivor tests/mutation-equivalents.txt
# does not list. `.ci/run` runs it after `make test`.
MUTATION_BUDGET ?= 600
mutation-sample: $(VENV)/.deps-test
	rm -rf mutants
	env -u CI HYPOTHESIS_PROFILE=mutation nice -n 10 $(PY) tests/mutation_sample.py \
		--budget $(MUTATION_BUDGET) --seed "$$(git rev-parse HEAD 2>/dev/null || echo 0)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.deps-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,snippets]'
	touch $@ $(VENV)/.deps

$(VENV)/.deps-docs: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@ $(VENV)/.deps

# MathJax 3 for the browser tests and the preview page, from the npm registry.
node_modules/.deps: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) node_modules mutants site dist/*.apkg dist/preview dist/share .deckbuild-cache
