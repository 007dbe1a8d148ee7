# The two README commands:
#   make run    set up, then validate the register, compute deadlines and build the site
#   make test   set up, then run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test check deadlines site bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/yuqing check
	$(BIN)/yuqing deadlines
	$(BIN)/mkdocs build --strict
	@echo "站点已生成:site/index.html(离线版:make site-offline)"

site-offline: setup
	YUQING_OFFLINE=true $(BIN)/mkdocs build --strict --site-dir site-offline

test: setup
	bash .ci/ensure-chromium
	bash .ci/ensure-libreoffice
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf site site-offline docs/generated tests/artifacts .pytest_cache
