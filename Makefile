# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint chaos

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/hemicycle demo

# Real-time audio tests first, alone and in order (they cut turns by the hall's clock: tests/conftest.py);
# then the rest on three pytest-xdist workers, a file each: most of them wait on servers and browsers.
test: setup
	.venv/bin/python -m pytest -p no:cacheprovider --durations=10 -m realtime_audio
	.venv/bin/python -m pytest -p no:cacheprovider --durations=15 -m "not realtime_audio" -n 3 --dist loadfile

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
