"""``hemicycle``: the command line others script against.

    hemicycle serve     --host H --port P --db URL [--redis URL]
    hemicycle demo      [--port P] [--data DIR] [--exit-after-simulation] [--scripted]
    hemicycle simulate  --url URL --seats N [--admin-token T]
    hemicycle enrol     --url URL --key FILE --role seat              (device: shows a pairing code)
    hemicycle enrol     --url URL --approve CODE --device-id ID --role seat --seat S   (clerk)
    hemicycle chair     --url URL --key FILE --sitting S open|next|grant|stop|vote|close-vote|state ...
    hemicycle admin     --url URL import-members CSV | set-credential M | create-sitting YAML | where
    hemicycle protocol asyncapi|openapi|schema|markdown
    hemicycle export    SITTING --db URL --format json|pdf|akn -o FILE
    hemicycle verify    FILE
    hemicycle rules     check FILE | load FILE --url URL [--admin-token T]
    hemicycle record    --url URL --key FILE [--device NAME|INDEX] [--archive DIR] [--list-devices]
    hemicycle transcribe AUDIO --engine vosk|whisper [--model PATH] [--language L]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from chair_console.cli import add_chair_parser
from hemicycle.admin import add_admin_parser
from recorder.cli import add_record_parser, add_transcribe_parser
from recorder.media.cli import add_media_parser

DEFAULT_DATA = Path(".hemicycle")


def admin_token_for(data_dir: Path, given: str | None, create: bool = False) -> str:
    """The bootstrap clerk token: given, from HEMICYCLE_ADMIN_TOKEN, or kept in DATA/admin.token.

    Only the server makes a new one (``create``); a client without one gets a ``LookupError``
    naming where it looked, rather than a token of its own that no server knows.
    """
    token = given or os.environ.get("HEMICYCLE_ADMIN_TOKEN")
    if token:
        return token
    path = data_dir / "admin.token"
    if path.exists():
        return path.read_text().strip()
    if not create:
        raise LookupError(f"no admin token: pass --admin-token, set HEMICYCLE_ADMIN_TOKEN, or use the --data "
                          f"folder of `hemicycle serve` (looked for {path})")
    from hall_server.transport.app import new_admin_token

    data_dir.mkdir(parents=True, exist_ok=True)
    token = new_admin_token()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hall_server.transport.app import ServerConfig, create_app
    from recorder.archive import cut_turn

    data = Path(args.data)
    db = args.db or f"sqlite:///{data / 'hall.db'}"
    token = admin_token_for(data, args.admin_token, create=True)
    key = Path(args.server_key) if args.server_key else data / "server.key"
    app = create_app(
        ServerConfig(db_url=db, admin_token=token, server_key=key, data_dir=data,
                     archive_dir=Path(args.archive) if args.archive else data / "archive", redis_url=args.redis,
                     cut_audio=cut_turn)
    )
    scheme = "https" if args.ssl_certfile else "http"
    print(f"hemicycle: serving on {scheme}://{args.host}:{args.port}  db={db}", file=sys.stderr)
    token_at = "given on the command line or in HEMICYCLE_ADMIN_TOKEN" if args.admin_token or \
        os.environ.get("HEMICYCLE_ADMIN_TOKEN") else str(data / "admin.token")
    print(f"hemicycle: clerk admin token: {token_at}; server key (seals results): {key}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, ws="websockets-sansio",
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from hemicycle.simulate import simulate

    try:
        token = admin_token_for(Path(args.data), args.admin_token)
    except LookupError as exc:
        print(f"hemicycle simulate: {exc}", file=sys.stderr)
        return 2
    summary = asyncio.run(simulate(args.url, args.seats, token, progress=not args.quiet))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["errors"] == 0 else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from hemicycle.demo import run_demo

    return run_demo(Path(args.data), args.host, args.port, args.exit_after_simulation, scripted=args.scripted)


def cmd_enrol(args: argparse.Namespace) -> int:
    from protocol.errors import ProtocolError
    from protocol.types import Role
    from seat_client import enrol

    try:
        if args.approve or args.revoke:
            token = admin_token_for(Path(args.data), args.admin_token)
            if args.revoke:
                ack = asyncio.run(enrol.revoke(args.url, token, args.revoke))
            else:
                ack = asyncio.run(enrol.approve(args.url, token, args.approve, args.device_id, Role(args.role),
                                                args.member, args.seat))
            print(json.dumps(ack))
            return 0
        status = asyncio.run(enrol.request_enrolment(args.url, Path(args.key), Role(args.role), args.label,
                                                     args.wait))
        print(json.dumps(status))
        return 0
    except (ProtocolError, LookupError, ValueError, RuntimeError, TimeoutError) as exc:
        print(f"hemicycle enrol: {exc}", file=sys.stderr)
        return 2


def cmd_protocol(args: argparse.Namespace) -> int:
    if args.what == "markdown":
        from hemicycle.protocol_docs import reference_markdown

        sys.stdout.write(reference_markdown())
        return 0
    if args.what == "asyncapi":
        from hall_server.refusals import protocol_document

        doc = protocol_document()
    elif args.what == "openapi":
        from hall_server.transport.openapi import openapi_document

        doc = openapi_document()
    else:
        from protocol.schema import protocol_schema

        doc = protocol_schema()
    print(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from hall_server.export import UnknownSitting, export_json, write_hansard
    from hall_server.store import EventLog

    log = EventLog(args.db)
    try:
        doc: Any = export_json(log, args.sitting, progress=True)
    except UnknownSitting:
        print(f"hemicycle export: no sitting {args.sitting!r} in {args.db}", file=sys.stderr)
        return 2
    finally:
        log.close()
    try:
        write_hansard(doc, args.format, Path(args.output), progress=True)
    except ValueError as exc:
        print(f"hemicycle export: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({args.format}): {len(doc['records'])} records, head {doc['head']}", file=sys.stderr)
    return 0


def read_profile(path: Path) -> Any:
    """A rules profile from a YAML or JSON file (JSON is YAML), validated: a ``RulesProfile``.

    Raises ``OSError`` when the file cannot be read and ``ValueError`` (YAML or
    pydantic validation errors) when it is not a profile.
    """
    import yaml

    from protocol.settings import RulesProfile

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not YAML or JSON: {exc}") from exc
    return RulesProfile.model_validate(data)


async def _define_rules(url: str, token: str, profile: Any) -> dict[str, Any]:
    from protocol.commands import REGISTRY_STREAM, DefineRules
    from protocol.types import Role
    from seat_client.client import HallClient

    clerk = HallClient(url, Role.CLERK, token, give_up_after=5)
    await clerk.connect()
    try:
        return await clerk.command(REGISTRY_STREAM, DefineRules(profile=profile))
    finally:
        await clerk.close()


def cmd_rules(args: argparse.Namespace) -> int:
    from protocol.errors import ProtocolError

    try:
        profile = read_profile(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"hemicycle rules: {exc}", file=sys.stderr)
        return 2
    if args.action == "check":
        print(json.dumps(profile.model_dump(mode="json"), indent=1, ensure_ascii=False))
        return 0
    if not args.url:
        print("hemicycle rules load: --url is required", file=sys.stderr)
        return 2
    token = admin_token_for(Path(args.data), args.admin_token)
    try:
        ack = asyncio.run(_define_rules(args.url, token, profile))
    except (ProtocolError, RuntimeError, TimeoutError, OSError) as exc:
        print(f"hemicycle rules: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"rules": profile.id, "seq": ack.get("seq")}))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from hall_server.export import verify_export

    try:
        doc = json.loads(Path(args.file).read_text())
    except (OSError, ValueError) as exc:
        print(f"FAIL cannot read {args.file}: {exc}")
        return 2
    checked, finding = verify_export(doc, args.server_key)
    for line in checked:
        print(f"ok   {line}")
    if finding:
        print(f"FAIL {finding}")
        return 1
    print("verified")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hemicycle", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the hall server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--db", help="sqlite:///PATH or postgresql://... (default: DATA/hall.db)")
    s.add_argument("--redis", help="redis://... to fan out across workers")
    s.add_argument("--data", default=str(DEFAULT_DATA))
    s.add_argument("--admin-token")
    s.add_argument("--server-key", help="Ed25519 key that seals results (default: DATA/server.key)")
    s.add_argument("--archive", help="the recorder's audio archive, for the clerks' review (default: DATA/archive)")
    s.add_argument("--ssl-certfile", help="serve HTTPS: tablets on the hall network need it for their keys")
    s.add_argument("--ssl-keyfile")
    s.add_argument("--log-level", default="warning")
    s.set_defaults(fn=cmd_serve)

    d = sub.add_parser("demo", help="server, a seeded Senate, and a simulated sitting")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8765)
    d.add_argument("--data", default=str(DEFAULT_DATA / "demo"))
    d.add_argument("--exit-after-simulation", action="store_true")
    d.add_argument("--scripted", action="store_true",
                   help="scripted transcripts instead of speech through the recorder (no espeak-ng, sox or models)")
    d.set_defaults(fn=cmd_demo)

    m = sub.add_parser("simulate", help="play a scripted sitting with N seats")
    m.add_argument("--url", required=True)
    m.add_argument("--seats", type=int, default=62)
    m.add_argument("--admin-token")
    m.add_argument("--data", default=str(DEFAULT_DATA))
    m.add_argument("--quiet", action="store_true")
    m.set_defaults(fn=cmd_simulate)

    n = sub.add_parser("enrol", help="enrol a device: ask (device side) or approve/revoke (clerk side)")
    n.add_argument("--url", required=True)
    n.add_argument("--key", help="device side: the 0600 key file (made if missing)")
    n.add_argument("--role", default="seat", choices=["seat", "remote", "chair", "clerk", "display", "recorder"])
    n.add_argument("--label", default="")
    n.add_argument("--wait", type=float, default=600, help="device side: seconds to wait for the clerk")
    n.add_argument("--approve", metavar="CODE", help="clerk side: the pairing code the device shows")
    n.add_argument("--device-id", help="clerk side: the id to give the device")
    n.add_argument("--member", help="clerk side: bind the device to a member")
    n.add_argument("--seat", help="clerk side: bind the device to a seat")
    n.add_argument("--revoke", metavar="DEVICE_ID", help="clerk side: revoke a device's key")
    n.add_argument("--admin-token")
    n.add_argument("--data", default=str(DEFAULT_DATA))
    n.set_defaults(fn=cmd_enrol)

    add_chair_parser(sub)
    add_admin_parser(sub, DEFAULT_DATA)

    pr = sub.add_parser("protocol", help="protocol documents: AsyncAPI (Socket.IO), OpenAPI (HTTP), "
                                         "the JSON Schema, or the reference page as Markdown")
    pr.add_argument("what", choices=["asyncapi", "openapi", "schema", "markdown"])
    pr.set_defaults(fn=cmd_protocol)

    e = sub.add_parser("export", help="export a sitting's record")
    e.add_argument("sitting")
    e.add_argument("--db", required=True)
    e.add_argument("--format", choices=["json", "pdf", "akn"], default="json")
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(fn=cmd_export)

    v = sub.add_parser("verify", help="re-check an exported record offline")
    v.add_argument("file")
    v.add_argument("--server-key", help="pin the server's public key (hex) that must have sealed the votes")
    v.set_defaults(fn=cmd_verify)

    ru = sub.add_parser("rules", help="check a rules profile file, or enter it in the log (a clerk)")
    ru.add_argument("action", choices=["check", "load"])
    ru.add_argument("file", help="the profile: YAML or JSON")
    ru.add_argument("--url", help="load: the hall server")
    ru.add_argument("--admin-token")
    ru.add_argument("--data", default=str(DEFAULT_DATA))
    ru.set_defaults(fn=cmd_rules)

    add_record_parser(sub)
    add_transcribe_parser(sub)
    add_media_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    args = parser().parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
