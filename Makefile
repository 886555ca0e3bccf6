# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint chaos

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/hemicycle demo

test: setup
	.venv/bin/python -m pytest -p no:cacheprovider

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy

# The long form of the hostile-input campaign (the short form runs in `make test`).
chaos: setup
	HEMICYCLE_FUZZ_MESSAGES=100000 .venv/bin/python -m pytest -p no:cacheprovider tests/test_fuzz.py
