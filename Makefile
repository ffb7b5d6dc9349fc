# Two entry points, both idempotent: `make demo` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup graph demo test test-pg clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned, so the CPU wheel is taken (see constraints.txt)
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,dev]'
	touch $(STAMP)

# The ONNX graph of the packaged model, made once per machine into the user cache folder: this
# checks it (under a second) and builds it when missing, stale or damaged (~15 s, offline; the
# one step that imports torch for the interactive paths).
graph: $(STAMP)
	$(BIN)/python -m planner.adapters.onnx_build

setup: graph

demo: graph
	$(BIN)/planner demo

# Two processes by default (pytest-xdist; CI has two cores), each taking whole files so a
# module-scoped world is built once: `make test WORKERS=0` runs in one.
WORKERS ?= 2
# what the PostgreSQL pass runs (README, "Development"): the tests that open the store
PG_TESTS := store and not sqlite_only and not layout
PYTEST := $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile

test: graph
	env -u PLANNER_TEST_PG $(PYTEST)
	if [ -n "$$PLANNER_TEST_PG" ]; then $(PYTEST) -m "$(PG_TESTS)"; fi

test-pg: graph
	PLANNER_TEST_PG=$$(scripts/pg-test-server) $(PYTEST) -m "$(PG_TESTS)"

clean:
	rm -rf $(VENV)

# `make test` runs the suite on SQLite, then the tests marked `store` (those that open the
# database) again on PostgreSQL when PLANNER_TEST_PG names a server (.ci/run starts one with
# scripts/pg-test-server).
