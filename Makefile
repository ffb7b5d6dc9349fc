# Two entry points, both idempotent: `make demo` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-pg clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned, so the CPU wheel is taken (see constraints.txt)
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/planner demo

test: $(STAMP)
	env -u PLANNER_TEST_PG $(BIN)/python -m pytest -q
	if [ -n "$$PLANNER_TEST_PG" ]; then $(BIN)/python -m pytest -q -m "not sqlite_only"; fi

test-pg: $(STAMP)
	PLANNER_TEST_PG=$$(scripts/pg-test-server) $(BIN)/python -m pytest -q -m "not sqlite_only"

clean:
	rm -rf $(VENV)

# `make test` runs the suite on SQLite, then again on PostgreSQL when PLANNER_TEST_PG names a
# server (.ci/run starts one with scripts/pg-test-server).
