"""``hemicycle admin``: set up a hall without writing protocol commands by hand.

    hemicycle admin --url URL import-members ROSTER.csv|ROSTER.xlsx [--new-pins missing|all --pin-sheet FILE.pdf]
    hemicycle admin --url URL set-credential MEMBER [--pin P | --new-pin] [--card-id C] [--pins-out FILE]
    hemicycle admin --url URL create-sitting SITTING.yaml|json
    hemicycle admin --url URL add-account NAME [--role clerk|editor|operator ...] [--new-password | --password-stdin]
    hemicycle admin where                       # where the admin token and the server key are

Roster (CSV in UTF-8 or XLSX, a header row): ``member_id,name_km,name_latin,group`` and
optionally ``title_km,title_en,pin,card_id``, imported by the hall (``POST /api/roster``,
the rules in ``procedure.roster``): new rows add, changed rows update, blank cells leave
values alone, a bad row is reported with its line and the others still go in.
``--new-pins missing`` gives every member named who has no PIN a random 6-digit one
(``all``: every member named a new one) and writes the one printable sheet of them to
``--pin-sheet`` (0600), to cut into slips.
``set-credential --new-pin`` makes a random 6-digit PIN, printed once, or with
``--pins-out`` written to a file readable by its owner only.

Sitting file (YAML or JSON)::

    sitting: senate-plenary-2026-12-07        # the stream id
    body: plenary                             # a body's id, or plenary | standing_committee | commission
    number: 14
    title_km: ...
    title_en: Fourteenth plenary sitting
    date: 2026-12-07
    place: Senate Hall, Phnom Penh
    members: []                               # empty: every registered member
    rules: senate-plenary
    floor: {max_open_mics: 2, speaking_time_s: 300}
    agenda:
      - {item_id: i1, title_km: ..., title_en: Adoption of the agenda}
      - item_id: i2
        title_km: ...
        title_en: Bills
        items:                                # sub-items, nested
          - {item_id: i2a, title_km: ..., title_en: First reading}

``add-account`` adds a named account for a clerk, an editor of the record or an operator
(``POST /api/accounts`` with the admin token as a Bearer header; roles default to clerk):
the password is asked for, read from the first line of standard input, or with
``--new-password`` made at random and printed once.

All of it goes through the clerk's connection (the admin token from ``--admin-token``,
``HEMICYCLE_ADMIN_TOKEN`` or DATA/admin.token), so every step is in the hash-chained log.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import json
import os
import secrets
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from pydantic import ValidationError

from hall_server.web.roster import new_pin
from protocol.commands import AddItem, CreateSitting, SetCredential
from protocol.errors import ProtocolError, validation_problems
from protocol.types import Role
from seat_client.client import HallClient

REGISTRY = "registry"


class SetupError(Exception):
    """A file that cannot be used at all (not a problem of one row)."""


def _secret_file(path: Path) -> int:
    """A new file descriptor for ``path``, readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def write_secret(path: Path, rows: list[tuple[str, str]]) -> None:
    """``member_id,pin`` lines in a new file readable by its owner only (0600)."""
    with os.fdopen(_secret_file(path), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["member_id", "pin"])
        w.writerows(rows)


async def import_members(url: str, token: str, data: bytes, new_pins: str | None = None,
                         pin_sheet: Path | None = None) -> dict[str, Any]:
    """Send a roster file's bytes (CSV or XLSX) to the hall's ``POST /api/roster``: the clerk page's import.

    With ``new_pins`` (missing | all), the sheet of new PINs is fetched, once, into ``pin_sheet`` (0600)."""
    query = f"?{urllib.parse.urlencode({'new_pins': new_pins})}" if new_pins else ""
    headers = {"X-Hemicycle-Token": token}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/api/roster{query}", data=data, headers=headers) as r:
            body = await r.json()
        if not body.get("ok"):
            raise ProtocolError.from_wire(body["error"])
        if body.get("sheet") and pin_sheet is not None:
            async with http.get(f"{url}/api/roster/sheets/{body['sheet']}", headers=headers) as r:
                if r.status != 200:
                    raise ProtocolError.from_wire((await r.json())["error"])
                pdf = await r.read()
            with os.fdopen(_secret_file(pin_sheet), "wb") as f:
                f.write(pdf)
            body["sheet"] = str(pin_sheet)
    return {k: v for k, v in body.items() if k != "ok"}


async def add_account(url: str, token: str, name: str, password: str, roles: list[str]) -> dict[str, Any]:
    """Add a named account through the hall's ``POST /api/accounts`` (``hall_server.transport.sessions``)."""
    async with aiohttp.ClientSession() as http, http.post(
        f"{url}/api/accounts", json={"name": name, "password": password, "roles": roles},
        headers={"Authorization": f"Bearer {token}"},
    ) as r:
        body = await r.json()
    if not body.get("ok"):
        raise ProtocolError.from_wire(body["error"])
    return {"account": body["account"]}


def account_password(args: argparse.Namespace) -> str:
    """The new account's password: made at random (``--new-password``), from stdin's first line, or asked."""
    if args.new_password:
        return secrets.token_urlsafe(12)
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(f"password for {args.name}: ")


def agenda_commands(items: list[dict[str, Any]], parent: str | None = None) -> Iterator[AddItem]:
    """The agenda file's items, depth first, each with its parent."""
    for item in items:
        fields = {k: v for k, v in item.items() if k != "items"}
        yield AddItem.model_validate({**fields, "parent_id": parent})
        yield from agenda_commands(item.get("items") or [], item.get("item_id"))


def read_sitting(path: Path) -> tuple[str, CreateSitting, list[AddItem]]:
    """The stream id, the sitting and its agenda from a YAML or JSON file; SetupError when unusable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SetupError(f"{path}: cannot read it as YAML or JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sitting"), str):
        raise SetupError(f"{path}: needs a mapping with `sitting` (the stream id), the sitting and its `agenda`")
    fields = {k: (str(v) if k == "date" else v) for k, v in data.items() if k not in ("sitting", "agenda")}
    try:
        sitting = CreateSitting.model_validate(fields)
        agenda = list(agenda_commands(data.get("agenda") or []))
    except ValidationError as exc:
        problems = "; ".join(f"{p['loc']}: {p['msg']}" for p in validation_problems(exc.errors()))
        raise SetupError(f"{path}: {problems}") from exc
    return data["sitting"], sitting, agenda


async def create_sitting(clerk: HallClient, path: Path) -> dict[str, Any]:
    stream, sitting, agenda = read_sitting(path)
    await clerk.command(stream, sitting)
    for item in agenda:
        await clerk.command(stream, item)
    return {"sitting": stream, "items": [i.item_id for i in agenda]}


async def set_credential(clerk: HallClient, member_id: str, pin: str | None, card_id: str | None,
                         pins_out: Path | None) -> dict[str, Any]:
    await clerk.command(REGISTRY, SetCredential(member_id=member_id, pin=pin, card_id=card_id))
    out: dict[str, Any] = {"member_id": member_id, "card_id_set": card_id is not None}
    if pin is not None:
        if pins_out is not None:
            write_secret(pins_out, [(member_id, pin)])
            out["pin_written_to"] = str(pins_out)
        else:
            out["pin"] = pin
    return out


def add_admin_parser(sub: Any, data_default: Path) -> None:
    p = sub.add_parser("admin", help="set up members, PINs and sittings from files (as a clerk)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8765")
    p.add_argument("--admin-token")
    p.add_argument("--data", default=str(data_default), help="where `hemicycle serve` keeps admin.token")
    what = p.add_subparsers(dest="what", required=True)
    m = what.add_parser("import-members", help="add or update members (and PINs, cards) from a CSV or XLSX roster")
    m.add_argument("file", type=Path)
    m.add_argument("--new-pins", choices=["missing", "all"],
                   help="random PINs for the members named without one (all: for every member named)")
    m.add_argument("--pin-sheet", type=Path, help="with --new-pins: write the PDF sheet of them here (0600)")
    c = what.add_parser("set-credential", help="set or reset a member's PIN or card id")
    c.add_argument("member_id")
    group = c.add_mutually_exclusive_group()
    group.add_argument("--pin")
    group.add_argument("--new-pin", action="store_true", help="make a random 6-digit PIN")
    c.add_argument("--card-id")
    c.add_argument("--pins-out", type=Path, help="write the PIN here (0600) instead of printing it")
    s = what.add_parser("create-sitting", help="create a sitting and its agenda from a YAML or JSON file")
    s.add_argument("file", type=Path)
    a = what.add_parser("add-account", help="add a named account for a clerk, an editor or an operator")
    a.add_argument("name")
    a.add_argument("--role", action="append", choices=["clerk", "editor", "operator"],
                   help="repeat for several; default clerk")
    secret = a.add_mutually_exclusive_group()
    secret.add_argument("--new-password", action="store_true", help="make a random password, printed once")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    what.add_parser("where", help="where the admin token and the server key are kept")
    p.set_defaults(fn=run_admin)


async def _run(args: argparse.Namespace, token: str) -> dict[str, Any]:
    if args.what == "import-members":
        if args.new_pins and args.pin_sheet is None:
            raise SetupError("--new-pins needs --pin-sheet FILE.pdf: the sheet is the only copy of the PINs")
        return await import_members(args.url, token, args.file.read_bytes(), args.new_pins, args.pin_sheet)
    if args.what == "add-account":
        password = account_password(args)
        report = await add_account(args.url, token, args.name, password, args.role or ["clerk"])
        return {**report, "password": password} if args.new_password else report
    clerk = HallClient(args.url, Role.CLERK, token)
    await clerk.connect()
    try:
        if args.what == "create-sitting":
            return await create_sitting(clerk, args.file)
        pin = new_pin() if args.new_pin else args.pin
        return await set_credential(clerk, args.member_id, pin, args.card_id, args.pins_out)
    finally:
        await clerk.close()


def run_admin(args: argparse.Namespace) -> int:
    from hemicycle.cli import admin_token_for

    data = Path(args.data)
    if args.what == "where":
        print(json.dumps({"admin_token": str(data / "admin.token"), "server_key": str(data / "server.key"),
                          "environment": "HEMICYCLE_ADMIN_TOKEN overrides the file"}, indent=1))
        return 0
    try:
        report = asyncio.run(_run(args, admin_token_for(data, args.admin_token)))
    except (SetupError, ProtocolError, OSError, LookupError, aiohttp.ClientError) as exc:
        print(f"hemicycle admin: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if report.get("bad") else 0


__all__ = ["add_account", "add_admin_parser", "create_sitting", "import_members", "read_sitting"]
