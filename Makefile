# Quick start on a fresh Debian machine: `make demo`, `make test`. Each target sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := gettext apertium apertium-eng-spa unicode-cldr-core chromium fonts-ipafont-gothic zsh fish
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages demo test lint bench clean

setup: system-packages $(VENV)/.installed

# Debian packages: GNU gettext (msgfmt/msgcat for catalogue checks), apertium (en→es engine),
# chromium (headless browser tests of the review site) and a Japanese font for its screenshots;
# zsh and fish, to test the completion scripts `localise completion` prints.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	    | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages: $$missing"; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# torch first, pinned: argostranslate imports stanza, which needs torch; this version has a
# CPU build available locally, where an unpinned install would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[argos,dev,ray]'
	touch $@

LOCALISE := $(VENV)/bin/localise

# The whole pipeline on the shipped articles: Japanese and Spanish editions in build/.
demo: setup
	$(LOCALISE) extract
	$(LOCALISE) update
	$(LOCALISE) translate
	$(LOCALISE) check
	$(LOCALISE) build --strict
	@echo
	@echo "Published editions:"
	@find build -name '*.md' | sort | sed 's/^/  /'
	@echo
	$(LOCALISE) status --fail-under 100
	$(LOCALISE) -q review
	@echo "Review site (open in a browser): build/review/index.html"
	@echo
	@echo "Machine drafts for comparison: the same articles through apertium (en→es), unreviewed:"
	@rm -rf .localise/mt-demo && mkdir -p .localise/mt-demo/locales
	@cp -r source localise.toml .localise/mt-demo/ && cp locales/glossary.csv .localise/mt-demo/locales/
	$(LOCALISE) -C .localise/mt-demo run --lang es --draft
	@echo "Draft edition (draft: true): .localise/mt-demo/build/drafts/es/stem-cell-therapy-japan.md"

test: setup
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m pytest -q -n auto

lint: setup
	$(PY) -m ruff check src tests benchmarks

bench: setup
	$(PY) benchmarks/pipeline_bench.py
	$(PY) benchmarks/translate_bench.py

clean:
	rm -rf build .localise .pytest_cache .hypothesis
