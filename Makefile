# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean i18n

# The install is silent (pip's and setuptools' warnings would print before the app);
# its output is kept in .venv/install.log and shown only when it fails.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@$(BIN)/pip install --quiet -e '.[dev]' >>$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/crm --demo

# The suite runs on SQLite and on a throwaway PostgreSQL 15 server it starts
# itself; ensure-postgres installs the server with apt-get only where missing,
# ensure-office LibreOffice, WeasyPrint and fonts for the printed weekly table's tests.
# TEST_WORKERS pytest-xdist workers (one a core; each starts its own PostgreSQL server); --dist loadfile keeps
# a module's tests on one worker, so a ledger a module builds once is built once, and hands out the longest
# units first (tests/xdist_balance.py: the multi-process system tests one unit a test). TEST_WORKERS=0: one process.
# More pytest options: make test PYTEST_ARGS="--durations=40 -k kpi".
# Bytecode is written (__pycache__, git-ignored) even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker
# and every process a test starts compiles the program, and pytest rewrites every test module, from source again.
TEST_WORKERS ?= 2
test: $(STAMP)
	scripts/ensure-postgres >/dev/null
	scripts/ensure-office >/dev/null || echo "ensure-office: LibreOffice or WeasyPrint could not be installed; their print checks skip" >&2
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Static checks (CI runs them before the tests): ruff (lint, import order, complexity ≤ 15, format),
# mypy on the foundation and the data layer, and the layer contracts of pyproject.toml (import-linter).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	@# app.py is the entry point: nothing imports it (import-linter only sees packages).
	@! grep -rnE '^\s*(from app import|import app\b)' cli screens crm db exports

# The million-deal benchmark (issues 4 and 16): builds or reuses bench-data/ (SQLite file, PostgreSQL dump), drives
# the TUI headless, times each row beside its floor in the same run (the sqlite3 CLI, csv.writer, XlsxWriter, a bare
# Textual app), prints the table and writes BENCHMARKS.md with the load average.
# Options: make bench BENCH_ARGS="--deals 100000 --rounds 5 --parts core,tui,export,reports,import".
bench: $(STAMP)
	scripts/ensure-postgres >/dev/null
	$(BIN)/python -m tests.perf.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

# Re-extract translatable strings, merge into each package's Chinese catalog and
# compile it. Fill new msgstr entries in crm/foundation/locale/zh_CN/LC_MESSAGES/<pkg>.po, then run again.
I18N_DOMAINS := crm db cli screens exports
i18n: $(STAMP)
	for d in $(I18N_DOMAINS); do \
	  src=$$d; [ $$d = cli ] && src="cli app.py"; \
	  $(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -o crm/foundation/locale/$$d.pot --no-location --omit-header --sort-output $$src || exit 1; \
	  test -f crm/foundation/locale/zh_CN/LC_MESSAGES/$$d.po || $(BIN)/pybabel init -D $$d -i crm/foundation/locale/$$d.pot -d crm/foundation/locale -l zh_CN || exit 1; \
	  $(BIN)/pybabel update -D $$d -i crm/foundation/locale/$$d.pot -d crm/foundation/locale -l zh_CN --no-fuzzy-matching --omit-header --ignore-obsolete || exit 1; \
	  $(BIN)/pybabel compile -D $$d -d crm/foundation/locale -l zh_CN --use-fuzzy || exit 1; \
	done
