# Two commands on a fresh machine: `make demo` and `make test`. Both set up the environment first
# (idempotent, cached under .venv/ and .cache/).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
EMOTION ?= quiet pride, fighting back tears
IMAGE ?=
AUDIO ?=
SECONDS ?=

.PHONY: setup test test-unit demo bench clean

setup:
	$(PYTHON) tools/setup_env.py --venv $(VENV)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest -m "not comfy and not browser" $(PYTEST_ARGS)

demo: setup
	$(PY) -m thinkdraw demo --emotion "$(EMOTION)" $(if $(IMAGE),--image "$(IMAGE)") $(if $(AUDIO),--audio "$(AUDIO)") $(if $(SECONDS),--seconds $(SECONDS))

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .cache output
