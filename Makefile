# Targets named in the README. Everything runs inside the project's virtualenv at .venv/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: help install demo serve test lint typecheck fonts bench bench-accuracy bench-speed \
        bench-service bench-load fuzz samples testset lock clean

help:
	@echo "make demo            install everything, create a demo account, serve on 127.0.0.1:8000"
	@echo "make test            run the whole test suite (SQLite, PostgreSQL, Redis, real OCR models)"
	@echo "make bench           all benchmarks (speed, accuracy, service overhead), printing tables"
	@echo "make samples         draw sample synthetic cards and docs/contact-sheet.png"
	@echo "make lint typecheck  ruff and mypy"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==26.3"
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

demo: install
	$(BIN)/idcard-ocr demo

serve: install
	$(BIN)/idcard-ocr serve

test: install
	tools/run-tests.sh

lint: install
	$(BIN)/ruff check idcard_ocr tests bench tools

typecheck: install
	$(BIN)/mypy

# Fonts draw synthetic cards (benchmarks, samples, test-set regeneration, tests that draw);
# tools/run-tests.sh runs the same script, so make test brings them too.
fonts: install
	tools/ensure-fonts.sh

bench: bench-speed bench-accuracy bench-service
	@echo "(bench-load, the multi-worker PostgreSQL/Redis load test, runs on its own: make bench-load)"

bench-accuracy: install fonts
	$(BIN)/python bench/accuracy.py

bench-speed: install fonts
	$(BIN)/python bench/speed.py --count 200

bench-service: install
	$(BIN)/python bench/service.py

bench-load: install
	$(BIN)/python bench/load.py

# A longer run of the property-based fuzzers than the test command's (IDCARD_FUZZ_EXAMPLES there).
fuzz: install
	$(BIN)/python bench/fuzz.py --examples 2000

samples: install fonts
	$(BIN)/python bench/contact_sheet.py

testset: install fonts
	$(BIN)/python tools/make_testset.py
	$(BIN)/python tools/make_heldout_set.py

lock:
	(echo '# Exact versions installed by make install (pip install -c constraints.txt). Regenerate with make lock.'; \
	  $(BIN)/pip freeze --exclude-editable | sort -f) > constraints.txt

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache bench/out
