# Rounds: `make run` serves the blog, `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app blog

.PHONY: run test check lint bench bench-render bench-flood lock clean install-prod

$(BIN)/activate: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

venv: $(BIN)/activate

# Production (README, "Production on a small VPS"): the pinned dependencies without the
# test tools, and the secret key if there is none yet. Editable, so the code runs from
# this checkout, where nginx finds static/ and flask finds migrations/. deploy/upgrade.sh
# runs it again.
# nginx (www-data) serves instance/media: it may pass through instance/ and read the
# media, nothing else there (the app's UMask would make a new folder 0750).
install-prod: instance/config.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --quiet -c constraints.txt -e .
	install -d -m 0711 instance
	install -d -m 0755 instance/media

# The secret key is generated once, into instance/ (never committed).
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@
	chmod 600 $@

# With MAIL_SERVER set (BLOG_MAIL_SERVER or instance/config.py), the mail worker runs
# beside the server and stops with it; without, it exits at once and nothing is sent.
run: $(BIN)/activate instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) mail work --if-configured & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	FLASK_RUN_PORT=$(PORT) $(FLASK) run --host 127.0.0.1

# Everything: lint, the architecture contracts, and every test (browser, gunicorn, corpus).
test: lint
	$(BIN)/pytest -n auto

# The fast loop while working: the same checks without the slow groups.
check: lint
	$(BIN)/pytest -n auto -m "not slow and not e2e"

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Rounds beside nginx static files and a minimal Flask app (README, "Performance"): the full
# run takes about 20 minutes; `make bench BENCH_ARGS=--quick` about two; --growth for memory.
bench: $(BIN)/activate
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# What each hostile text costs to render at its size cap, against the render budgets.
bench-render: $(BIN)/activate
	$(BIN)/python -m bench.render_budget

# A minute of the worst inputs at their caps against gunicorn, while a reader reads.
bench-flood: $(BIN)/activate
	$(BIN)/python -m bench.flood

# Re-resolve the pins from pyproject.toml into constraints.txt. Every pin must install on
# Debian 12's Python 3.11.2 (tests/deploy/test_install.py): run it with that Python, or
# hold back a package whose new release asks for more.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --upgrade pip
	.lockvenv/bin/pip install --quiet '.[test]'
	{ echo "# Pinned versions for every dependency (direct and transitive)."; \
	  echo "# The Makefile installs with: pip install -c constraints.txt -e '.[test]'"; \
	  echo "# Refresh: make lock"; \
	  .lockvenv/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel|rounds)[=@ ]'; } > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# How long one publish takes to queue a new post's mail for 2,000 subscribers.
.PHONY: bench-mail
bench-mail: $(BIN)/activate
	$(BIN)/python -m bench.mail_queue

# Peak memory of one 40-megapixel upload through the image pipeline, in a fresh worker.
.PHONY: bench-upload
bench-upload: $(BIN)/activate
	$(BIN)/python -m bench.upload_memory
