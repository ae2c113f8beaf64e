# e2evlp-mm: `make demo` and `make test` set everything up on first use.
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: env test demo demo-downstream webui table3 table7 lint format clean-env

env:  ## create/update .venv (first run builds mmcv's ops: ~18 min on 2 cores)
	bash tools/install.sh

test: env  ## run the whole test suite
	bash tools/install_browser.sh
	$(PYTHON) -m pytest -q $(PYTEST_ARGS) tests

demo: env  ## generate the shapes world, pre-train, evaluate, print the table
	bash tools/demo.sh

demo-downstream: env  ## fine-tune + test every downstream task from the demo
	bash tools/demo_downstream.sh

WEBUI_ARGS ?=
webui: env  ## web demo of every task on http://127.0.0.1:7860 (docs/webui.md)
	GRADIO_ANALYTICS_ENABLED=False $(PYTHON) demo/webui.py $(WEBUI_ARGS)

TABLE_ARGS ?=
table3: env  ## paper Table 3 in miniature: which pre-training task helps
	$(PYTHON) tools/analysis_tools/paper_table3.py $(TABLE_ARGS)

table7: env  ## paper Table 7 in miniature: DETR vs detection with text
	$(PYTHON) tools/analysis_tools/paper_table7.py $(TABLE_ARGS)

lint: env
	$(VENV)/bin/ruff check .

format: env
	$(VENV)/bin/ruff check --fix .

clean-env:
	rm -rf $(VENV)
