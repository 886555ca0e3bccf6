"""A secretariat's own rules, as a file: loaded into the log with `hemicycle rules load`,
used by a vote, carried by the export, and re-verified with nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hall_server.export import export_json
from hall_server.store import EventLog
from protocol.commands import CloseVote, OpenVote
from protocol.errors import ProtocolError
from protocol.rules import Outcome
from protocol.types import VoteKind
from tests.hall import ServerProcess
from tests.test_voting import make_sitting

# Two-thirds of those voting yes or no, abstentions left out; more than half of the seats as quorum.
PROFILE = """\
id: senate-plenary
name: Senate plenary (as amended by the secretariat)
quorum:
  fraction: {num: 1, den: 2}
  strictly_more: true
default_majority: yes_no_two_thirds
majorities:
  yes_no_two_thirds:
    name: Two-thirds of yes and no
    base: votes_cast
    fraction: {num: 2, den: 3}
    strictly_more: false
    on_tie: tie
  members_and_voting:
    name: Majority of the members and of those voting
    base: votes_cast
    also:
      - base: all_members
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hemicycle.cli", *args], capture_output=True, text=True)


def test_a_profile_that_is_not_one_is_refused_by_check(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PROFILE.replace("default_majority: yes_no_two_thirds", "default_majority: nowhere"))
    out = cli("rules", "check", str(bad))
    assert out.returncode == 2 and "default_majority" in out.stderr
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"id": "c", "name": "C", "quorum": {"fraction": {"num": 1, "den": 2}},
                                "default_majority": "s", "majorities": {"s": {"name": "S", "base": "present"}}}))
    assert cli("rules", "check", str(good)).returncode == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_profile_file_decides_a_vote_and_the_export_verifies_alone(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = tmp_path / "senate.yaml"
    path.write_text(PROFILE)
    loaded = cli("rules", "load", str(path), "--url", server.url, "--admin-token", server.admin_token)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["rules"] == "senate-plenary"
    s = await make_sitting(server, seats=10)
    try:
        assert s.state().rules is not None and s.state().rules.default_majority == "yes_no_two_thirds"
        assert s.state().quorum_needed() == 6  # more than half of 10
        vote = await s.open_vote(kind=VoteKind.ROLL_CALL)
        choices = ["yes"] * 2 + ["no"] + ["abstain"] * 7
        for i, choice in enumerate(choices):
            await s.seats[i].command(s.id, s.ballot(i, vote, choice))
        await s.chair.command(s.id, CloseVote(vote_id=vote))
        with pytest.raises(ProtocolError) as refused:
            await s.chair.command(s.id, OpenVote(vote_id="v-x", motion_km="ក", motion_en="x", majority="two_thirds"))
        assert refused.value.code.value == "malformed" and "yes_no_two_thirds" in refused.value.details["known"]
        await s.settle()
        result = s.state().votes[vote].result
        assert result is not None and result.outcome is Outcome.ADOPTED and result.needed == 2
    finally:
        for c in [s.clerk, s.chair, *s.seats]:
            with contextlib.suppress(Exception):
                await c.close()
    await asyncio.sleep(0.3)  # the seal follows the close
    log = EventLog(server.db_url)
    doc = export_json(log, s.id)
    log.close()
    created = next(r["event"] for r in doc["records"] if r["event"]["type"] == "sitting.created")
    assert created["rules"]["majorities"]["yes_no_two_thirds"]["fraction"] == {"num": 2, "den": 3}
    out_file = tmp_path / "sitting.json"
    out_file.write_text(json.dumps(doc))
    ver = cli("verify", str(out_file))
    assert ver.returncode == 0, ver.stdout
    assert "1 seals" in ver.stdout


def test_profiles_in_the_log_are_the_clerks_and_each_body_has_its_own() -> None:
    from procedure import RegistryState, SittingState
    from protocol.commands import CreateSitting, DefineRules
    from protocol.settings import SENATE_COMMITTEE, SENATE_PLENARY
    from protocol.types import Body
    from tests.domain_support import SITTING, chair, clerk, code_of, registry_with, run

    own = SENATE_PLENARY.model_copy(update={"id": "house-own", "name": "The house's own"})
    assert code_of(RegistryState(), DefineRules(profile=own), chair()) == "forbidden"
    assert code_of(RegistryState(), DefineRules(profile=SENATE_PLENARY), clerk()) == "already_exists"
    reg = registry_with(3)
    reg = run(reg, DefineRules(profile=own), clerk())
    assert reg.profile("house-own") == own and reg.profile("senate-plenary") == SENATE_PLENARY

    def created(body: Body, rules: str | None) -> SittingState:
        return run(SittingState(stream=SITTING), CreateSitting(body=body, number=1, title_km="ក", title_en="S",
                                                               date="2026-11-30", place="Hall", rules=rules),
                   clerk(), reg)

    assert created(Body.PLENARY, None).rules == SENATE_PLENARY
    assert created(Body.COMMISSION, None).rules == SENATE_COMMITTEE
    assert created(Body.COMMISSION, "house-own").rules == own
    assert code_of(SittingState(stream=SITTING), CreateSitting(body=Body.PLENARY, number=1, title_km="ក",
                                                               title_en="S", date="2026-11-30", place="Hall",
                                                               rules="nowhere"), clerk(), reg) == "malformed"
