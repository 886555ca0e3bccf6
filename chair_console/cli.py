"""``hemicycle chair``: the chair's actions from a terminal or a script.

    hemicycle chair --url URL --key chair.pem --sitting S open|next|previous|grant [MEMBER]|stop [MEMBER]|
                    extend [MEMBER] [--seconds N]|pause [MEMBER]|resume-speech [MEMBER]|close-list|reopen-list|
                    add MEMBER|remove MEMBER|close|suspend|resume|notice TEXT|vote MOTION|close-vote|state

``next`` and ``previous`` take ``--clear-list`` to empty the speakers' list at the item change;
``open`` and ``vote`` take ``--without-quorum``, the chair's confirmation when too few are present.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from chair_console.console import ChairConsole
from procedure.views import public_view
from protocol.errors import ProtocolError
from protocol.types import Role, VoteKind
from seat_client.client import HallClient
from seat_client.enrol import load_device

ACTIONS = ["open", "next", "previous", "grant", "stop", "extend", "pause", "resume-speech", "close-list",
           "reopen-list", "add", "remove", "close", "suspend", "resume", "notice", "vote", "close-vote", "state"]


def add_chair_parser(sub: Any) -> None:
    p = sub.add_parser("chair", help="run the sitting from a terminal (the chair's actions)")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True, help="the chair device's key file: enrolled with `hemicycle enrol`, "
                                                "or DATA/devices/<device_id>.pem as the demo writes them")
    p.add_argument("--sitting", required=True)
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("arg", nargs="?", help="member id, notice text or motion (in Khmer for a vote)")
    p.add_argument("--seconds", type=int, default=60, help="for `extend`: seconds to add (default 60)")
    p.add_argument("--clear-list", action="store_true", help="for `next`/`previous`: empty the speakers' list")
    p.add_argument("--without-quorum", action="store_true",
                   help="for `open`/`vote`: open although fewer than the quorum are present (on the record)")
    v = p.add_argument_group("vote", "for `vote MOTION`")
    v.add_argument("--motion-en", help="the motion in English (default: the same text)")
    v.add_argument("--kind", choices=[k.value for k in VoteKind], default=VoteKind.ROLL_CALL.value)
    v.add_argument("--options", help="comma-separated options (default: yes,no,abstain)")
    v.add_argument("--majority", help="a majority rule of the sitting's rules profile (default: its default)")
    v.add_argument("--duration", type=int, default=0, metavar="SECONDS", help="close by the clock (0: by the chair)")
    p.set_defaults(fn=run_chair)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    client = HallClient(args.url, Role.CHAIR, load_device(Path(args.key)))
    await client.connect()
    try:
        chair = ChairConsole(client, args.sitting)
        await chair.start()
        a = args.action
        if a == "state":
            return public_view(chair.state)
        handlers = {
            "close": chair.close, "suspend": chair.suspend, "resume": chair.resume,
            "close-vote": chair.close_vote, "close-list": chair.close_list, "reopen-list": chair.reopen_list,
        }
        if a in handlers:
            return await handlers[a]()
        if a == "open":
            return await chair.open(args.without_quorum)
        if a == "next":
            return await chair.next_item(args.clear_list)
        if a == "previous":
            return await chair.previous_item(args.clear_list)
        speaker_actions = {"grant": chair.grant, "stop": chair.stop, "pause": chair.pause,
                           "resume-speech": chair.resume_speech}
        if a in speaker_actions:
            return await speaker_actions[a](args.arg)
        if a == "extend":
            return await chair.extend(args.seconds, args.arg)
        if a in ("add", "remove", "notice", "vote") and not args.arg:
            raise ValueError(f"{a} needs an argument")
        if a == "add":
            return await chair.add(args.arg)
        if a == "remove":
            return await chair.remove(args.arg)
        if a == "notice":
            return await chair.notice(args.arg)
        options = [o.strip() for o in args.options.split(",") if o.strip()] if args.options else None
        vote_id = await chair.open_vote(args.arg, args.motion_en or args.arg, kind=VoteKind(args.kind),
                                        majority=args.majority, duration_s=args.duration, options=options,
                                        without_quorum=args.without_quorum)
        return {"vote_id": vote_id}
    finally:
        await client.close()


def run_chair(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(asyncio.run(_run(args)), ensure_ascii=False, indent=1))
        return 0
    except (ProtocolError, ValueError, OSError) as exc:
        print(f"hemicycle chair: {exc}", file=sys.stderr)
        return 1
