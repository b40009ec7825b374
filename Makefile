# Short targets; each bootstraps the virtualenv it needs, so a fresh clone needs nothing but python3.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools-venv
# sam build needs a python3.12 interpreter on PATH (pyenv machines: make it visible next to the default).
export PYENV_VERSION ?= $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.1[123]\.' | sort -V | tr '\n' ':' | sed 's/:$$//')

.PHONY: serve test test-fast lint format eval bench fuzz chaos template-check checkov clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

$(VENV)/.bench-installed: $(VENV)/.installed
	$(VENV)/bin/pip install -q -e '.[dev,bench]'
	touch $@

# aws-sam-cli and cfn-lint pin urllib3/boto3 differently from Powertools: they live in their own venv.
$(TOOLS)/.installed: infra/tools-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q -U pip
	$(TOOLS)/bin/pip install -q -r infra/tools-requirements.txt
	touch $@

serve: $(VENV)/.installed
	$(VENV)/bin/newsdigest serve $(ARGS)

test: $(VENV)/.installed $(TOOLS)/.installed
	NEWSDIGEST_TOOLS_BIN=$(CURDIR)/$(TOOLS)/bin $(PY) -m pytest -q $(ARGS)

test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not e2e and not template" $(ARGS)

# schemathesis with every check, 200 examples per operation, against the local stack (a few minutes).
fuzz: $(VENV)/.installed
	NEWSDIGEST_FUZZ_EXAMPLES=200 NEWSDIGEST_FUZZ_CHECKS=all $(PY) -m pytest -q tests/e2e/test_schemathesis.py $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check functions infra tests bench
	$(VENV)/bin/ruff format --check functions infra tests bench
	$(VENV)/bin/mypy functions/newsdigest

format: $(VENV)/.installed
	$(VENV)/bin/ruff format functions infra tests bench
	$(VENV)/bin/ruff check --fix functions infra tests bench

template-check: $(TOOLS)/.installed
	$(TOOLS)/bin/sam validate --lint --template template.yaml
	$(TOOLS)/bin/cfn-lint --include-checks I -- template.yaml
	$(TOOLS)/bin/checkov --config-file infra/checkov.yaml
	$(TOOLS)/bin/sam build --template template.yaml --build-dir .aws-sam/build

# Security/compliance checks on the template; accepted findings are skipped in infra/checkov.yaml (README).
checkov: $(TOOLS)/.installed
	$(TOOLS)/bin/checkov --config-file infra/checkov.yaml

# The fault suite against the local stack (bounded, seeded; not part of `make test`, whose e2e tests run a
# small version of it). ARGS: --seed N --articles N --subscribers N --hostile N --workers N --wait S
chaos: $(VENV)/.installed
	$(PY) -m tests.chaos $(ARGS)

eval: $(VENV)/.bench-installed
	$(PY) bench/eval.py $(ARGS)
	$(PY) bench/eval_extraction.py

bench: $(VENV)/.bench-installed
	$(PY) bench/bench.py $(ARGS)
	$(PY) bench/extraction_bench.py
	$(PY) bench/cold_start.py

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .pytest_cache .local
