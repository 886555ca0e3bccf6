# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/hemicycle demo

test: setup
	.venv/bin/python -m pytest -p no:cacheprovider

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy
