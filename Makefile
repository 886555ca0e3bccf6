# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint chaos

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/hemicycle demo

# Three workers (pytest-xdist): most tests wait on servers and browsers, so three share the two cores
# well; every test makes its own servers, ports, databases and folders. Real-time audio tests keep to
# one worker, one after another (tests/conftest.py).
test: setup
	.venv/bin/python -m pytest -p no:cacheprovider -n 3 --dist loadgroup

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy

# The long forms of the hostile-input campaign and of the fault campaigns (kill -9 of the server,
# PostgreSQL restarted, Redis killed, the recorder killed mid-turn, the disk full under SQLite);
# their short forms run in `make test`. Figures: docs/RELIABILITY.md.
chaos: setup
	HEMICYCLE_FUZZ_MESSAGES=100000 .venv/bin/python -m pytest -p no:cacheprovider tests/test_fuzz.py
	HEMICYCLE_CHAOS_TRIALS=50 .venv/bin/python -m pytest -p no:cacheprovider -s tests/test_chaos.py \
		tests/recorder/test_recorder_restart.py
