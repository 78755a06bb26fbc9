# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: lock install run test test-fast lint eval bench audit load throughput browser-deps js-deps clean-index

# torch first and pinned: that takes the CPU wheel; an unpinned torch would pull a CUDA build.
# requirements.lock pins every other package to the versions the tests passed with.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]' -c requirements.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) app.py

# Debian's chromium for the browser tests (Playwright never downloads a browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver >/dev/null; fi; }

# axe-core for the accessibility browser test, pinned in tests/js/package-lock.json; fetched
# here from the npm registry, read from disk at test time (the test skips without it).
js-deps:
	@test -f tests/js/node_modules/axe-core/axe.min.js || \
	  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

test: install browser-deps js-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not integration and not browser"

# mypy: strict on bot/ ([tool.mypy] in pyproject.toml)
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# index first (incremental: a no-op when nothing changed), so eval works on a fresh clone
eval: install
	$(PY) -m bot index --json > /dev/null
	$(PY) -m bot eval

bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/run.py

# After changing dependencies in pyproject.toml: install unconstrained, test, then lock.
lock:
	$(PY) -m pip install --quiet -e '.[test]'
	{ echo '# Exact versions the tests passed with (constraints for pip; torch is pinned in the Makefile).'; \
	  echo '# Regenerate with: make lock'; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^torch=='; } > requirements.lock

audit: install
	$(PY) scripts/audit.py

load: install
	$(PY) bench/load.py

throughput: install
	$(PY) bench/throughput.py --clients 1,4,16 --seconds 30 --rounds 2

clean-index:
	rm -rf index
