# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install worker bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) lint
	DJANGO_SETTINGS_MODULE=portal.settings.dev $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=portal.settings.production SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check \
		ALLOWED_HOSTS=portal.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: $(STAMP)
	$(BIN)/celery -A portal worker -B --loglevel=info

# The dashboard benchmark loads a large programme into a scratch database made first with
#   createdb -h 127.0.0.1 -U postgres ilrs_bench_dashboard
# (loaded once; later runs only measure) and writes bench/RESULTS.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ilrs_bench_dashboard
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/0
.PHONY: bench-dashboard
bench-dashboard: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --no-input
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py load_bench_data --unless-loaded
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/dashboard_bench.py

# Load and deadline rush: the portal under gunicorn with production settings on the same programme and, beside it,
# one call of 2,000 proposals, 6,000 reviews and 60 reviewers (the database is made and loaded first when missing),
# driven by wrk (installed from Debian when absent) with no writes and while a writer commits 10 writes a second,
# then by 200 partners submitting around a deadline; and what the middleware stack costs over a bare view, in one
# process. Each writes its section of bench/RESULTS.md.
bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y wrk
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/middleware_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/load_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/deadline_rush.py

clean:
	rm -rf $(VENV) db.sqlite3 test.sqlite3 staticfiles test-artifacts
