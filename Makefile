# wsman.automation — developer entry points.
#   make test    the whole test suite (what CI runs through .ci/run)
#   make demo    build, install and run the demo playbook against the local lab endpoint
#   make bench   benchmarks against the lab, as ratios to a peer measured in the same run
#   make docs    the HTML guide under docs/build
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt | cksum | cut -d' ' -f1)
# The ansible_collections tree ansible-test runs in. It must lie outside this git checkout: inside it,
# ansible-test would list the tree's files with this repository's git, which ignores the build folder,
# and find no tests at all.
BUILD ?= $(or $(TMPDIR),/tmp)/wsman-automation-build.$(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)
TREE := $(BUILD)/ansible_collections/wsman/automation
PYVER := 3.11
AT := ansible-test
AT_OPTS := --venv --python $(PYVER) --color no
export PATH := $(BIN):$(PATH)

.PHONY: venv tree test sanity units lab-test integration docs-lint docs-build build-smoke summary clean docs demo

$(STAMP): requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	touch $@

venv: $(STAMP)

tree: venv
	@scripts/collection-tree.sh $(BIN) $(BUILD) >/dev/null
	@mkdir -p $(BUILD)/junit

test: venv
	rm -rf $(TREE)/tests/output/junit $(BUILD)/junit
	@# -k: every stage runs and reports, even after an earlier one failed; the run fails at the end.
	$(MAKE) -k sanity units lab-test integration docs-lint docs-build build-smoke; rc=$$?; \
	$(MAKE) --no-print-directory summary || rc=1; \
	if [ $$rc != 0 ]; then echo "make test: FAILED (see the stages above)"; fi; exit $$rc

sanity: tree
	cd $(TREE) && $(AT) sanity $(AT_OPTS)

units: tree
	cd $(TREE) && $(AT) units $(AT_OPTS)

lab-test: tree
	cd $(TREE) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/lab/tests --junitxml=$(BUILD)/junit/lab.xml

integration: tree
	cd $(TREE) && $(AT) integration $(AT_OPTS)

docs-lint: tree
	cd $(TREE) && ANSIBLE_COLLECTIONS_PATH=$(BUILD) antsibull-docs lint-collection-docs --plugin-docs .

# The HTML guide, built the way `make docs` builds it, checked (pages, plugin and role docs, diagram).
docs-build: tree
	scripts/docs-build.sh $(BUILD) $(BUILD)/docs $(BUILD)/junit/docs.xml

# The HTML guide for people: docs/build/html/index.html (offline; antsibull-docs + Sphinx).
docs: tree
	scripts/docs-build.sh $(BUILD) docs/build

# Build and install the collection, start the lab endpoint on loopback, run demo/playbook.yml
# against it (NTLM + message encryption), print a summary, stop the lab.  Output: demo-output/.
demo: tree
	demo/run-demo.sh $(TREE)

build-smoke: tree
	rm -rf $(BUILD)/dist $(BUILD)/installed
	cd $(TREE) && ansible-galaxy collection build --force --output-path $(BUILD)/dist .
	ansible-galaxy collection install --offline -p $(BUILD)/installed $(BUILD)/dist/wsman-automation-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/installed ansible-doc -l wsman.automation

summary: venv
	@$(BIN)/python scripts/junit-summary.py '$(TREE)/tests/output/junit/*.xml' '$(BUILD)/junit/*.xml'

clean:
	rm -rf $(BUILD) $(VENV)

.PHONY: bench
bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)
