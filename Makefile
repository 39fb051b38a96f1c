# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOME_DIR ?= .research_hub
PORT   ?= 8501

.PHONY: run test install install-test browser ingest-samples bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned, so pip takes the CPU build from local disk, never a CUDA one
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser test (never a browser that playwright downloads),
# and DejaVu fonts so PDF bundles can quote non-Latin-1 text verbatim
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "chromium or fonts-dejavu-core missing: the browser test will be skipped (sudo apt-get install chromium fonts-dejavu-core)"; fi; }

ingest-samples: install
	$(BIN)/research-hub --home $(HOME_DIR) ingest sample_interviews/interviews sample_interviews/feedback
	$(BIN)/research-hub --home $(HOME_DIR) features import sample_interviews/roadmap/features.csv

run: ingest-samples
	$(BIN)/research-hub --home $(HOME_DIR) app --port $(PORT)

test: install-test browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/research-hub bench ingest
	$(BIN)/research-hub bench search
	$(BIN)/research-hub bench themes
	$(BIN)/research-hub bench link

clean:
	rm -rf $(VENV) $(HOME_DIR)
