"""Named accounts over a real server: sign-in, CSRF on every state-changing route, authors in the record.

Two clerks' accounts correct the same sitting's transcript over their own sessions; the
review, the JSON and Akoma Ntoso exports and the audit view name each. Every POST/PUT/PATCH/DELETE route of
the app (read from its Starlette router) refuses a request that carries a cookie but not
the CSRF token.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from lxml import etree
from starlette.routing import Route
from starlette.testclient import TestClient

from hall_server.accounts import SESSION_COOKIE, Accounts, may_command
from hall_server.store import EventLog
from hall_server.transport.app import ServerConfig, create_app
from hall_server.transport.sessions import SignInThrottle
from hansard.akn import HEMICYCLE_NS
from hemicycle.simulate import simulate
from protocol.version import PROTOCOL_VERSION
from tests.hall import ServerProcess

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORDS = {"alice": "alice-correct-horse", "bruno": "bruno-battery-staple", "vanna": "vanna-only-devices"}
ROLES = {"alice": ("clerk",), "bruno": ("editor",), "vanna": ("operator",)}


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("accounts")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    summary = asyncio.run(simulate(srv.url, 4, srv.admin_token, progress=False))
    summary["added"] = [add_account(srv, name, *roles) for name, roles in ROLES.items()]
    yield srv, summary
    srv.stop()


def add_account(srv: ServerProcess, name: str, *roles: str) -> subprocess.CompletedProcess[str]:
    """``hemicycle admin add-account`` as a script runs it: the admin token, the password on stdin."""
    args = [sys.executable, "-m", "hemicycle.cli", "admin", "--url", srv.url, "--admin-token", srv.admin_token,
            "add-account", name, "--password-stdin", *(a for r in roles for a in ("--role", r))]
    return subprocess.run(args, input=PASSWORDS[name] + "\n", capture_output=True, text=True, timeout=60)


def signed_in(srv: ServerProcess, name: str) -> httpx.Client:
    """A browser-like client: the page's csrftoken cookie, then a session cookie for the account."""
    web = httpx.Client(base_url=srv.url, timeout=30)
    assert web.get("/clerk").status_code == 200
    r = web.post("/api/session", json={"name": name, "password": PASSWORDS[name]},
                 headers={"X-CSRFToken": web.cookies["csrftoken"]})
    assert r.status_code == 200, r.text
    assert r.json()["account"]["name"] == name
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain http here
    return web


async def revise_as(srv: ServerProcess, web: httpx.Client, sitting: str, segment_id: str, text: str) -> Any:
    """transcript.revise over the clerk socket, signed in by the session cookie (as the clerk page does)."""
    sio = socketio.AsyncClient()
    jar = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
    await sio.connect(srv.url, namespaces=["/clerk"], transports=["websocket"], headers={"Cookie": jar},
                      auth={"v": PROTOCOL_VERSION, "csrf": web.cookies["csrftoken"]}, wait_timeout=10)
    try:
        return await sio.call("command", {"v": PROTOCOL_VERSION, "id": uuid.uuid4().hex, "stream": sitting,
                                          "cmd": {"type": "transcript.revise", "segment_id": segment_id,
                                                  "text": text, "status": "corrected"}},
                              namespace="/clerk", timeout=10)
    finally:
        await sio.disconnect()


def test_two_clerks_corrections_are_named_in_review_export_and_audit(hall: Any) -> None:
    srv, summary = hall
    sitting = summary["sitting"]
    for done, (name, roles) in zip(summary["added"], ROLES.items(), strict=True):
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["account"] == {"name": name, "roles": list(roles), "disabled": False,
                                                      "last_change": None}
    again = add_account(srv, "alice", "clerk")
    assert again.returncode == 2 and "already" in again.stderr

    alice, bruno = signed_in(srv, "alice"), signed_in(srv, "bruno")
    transcript = alice.get(f"/api/review/{sitting}").json()["transcript"]
    drafts = [(t, segs[0]) for t, segs in transcript.items() if len(segs) == 1 and len(segs[0]["versions"]) == 1]
    (turn1, first), (turn2, second) = drafts[:2]
    for web, seg, text in ((alice, first, "Alice's correction."), (bruno, second, "Bruno's correction.")):
        ack = asyncio.run(revise_as(srv, web, sitting, seg["segment_id"], text))
        assert ack["ok"], ack

    review = bruno.get(f"/api/review/{sitting}").json()["transcript"]
    latest = {s["segment_id"]: (s["versions"][-1]["by"], s["versions"][-1]["text"])
              for segs in review.values() for s in segs}
    assert latest[first["segment_id"]] == ("alice", "Alice's correction.")
    assert latest[second["segment_id"]] == ("bruno", "Bruno's correction.")

    export = bruno.get(f"/api/export/{sitting}.json")
    assert export.status_code == 200
    revised = {r["event"]["segment_id"]: r["actor"] for r in export.json()["records"]
               if r["event"]["type"] == "transcript.segment_revised" and r["actor"].get("account")}
    assert revised == {first["segment_id"]: {"role": "clerk", "device_id": None, "member_id": None, "account": "alice"},
                       second["segment_id"]: {"role": "clerk", "device_id": None, "member_id": None,
                                              "account": "bruno"}}
    speeches = {e["id"]: e for item in export.json()["hansard"]["agenda"] for e in entries(item)
                if e["type"] == "speech"}
    assert (speeches[turn1]["revised_by"], speeches[turn2]["revised_by"]) == (["alice"], ["bruno"])
    akn = etree.fromstring(bruno.get(f"/api/export/{sitting}.akn").content)
    revisions = {sp.get("id"): [b.text for b in sp] for sp in akn.iter(f"{{{HEMICYCLE_NS}}}speech")}
    assert (revisions[turn1][-1], revisions[turn2][-1]) == ("alice", "bruno")
    exported = tmp_export(srv, export.content)
    verified = subprocess.run([sys.executable, "-m", "hemicycle.cli", "verify", str(exported)],
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    audit = alice.get("/api/audit", params={"sitting": sitting, "author": "bruno"}).json()
    assert audit["chain"]["ok"] and audit["chain"]["checked"] > 10
    assert [e["type"] for e in audit["events"]] == ["transcript.segment_revised"]
    assert {"alice", "bruno", "admin"} <= set(audit["authors"])
    kinds = alice.get("/api/audit", params={"sitting": sitting, "kind": "transcript"}).json()["events"]
    assert kinds and all(e["type"].startswith("transcript.") for e in kinds)
    assert bruno.get("/api/audit", params={"sitting": sitting}).status_code == 401  # an editor reads no audit
    alice.close()
    bruno.close()


def entries(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """An agenda item's entries, its sub-items' after."""
    yield from item["entries"]
    for sub in item["items"]:
        yield from entries(sub)


def tmp_export(srv: ServerProcess, body: bytes) -> Path:
    path = Path(srv.data) / "export.json"
    path.write_bytes(body)
    return path


def test_roles_limit_what_an_account_may_do(hall: Any) -> None:
    srv, summary = hall
    bruno, vanna = signed_in(srv, "bruno"), signed_in(srv, "vanna")
    ack = asyncio.run(revise_as(srv, vanna, summary["sitting"], "nope", "An operator's correction."))
    assert ack["error"]["code"] == "forbidden"
    assert vanna.get(f"/api/review/{summary['sitting']}").status_code == 401
    r = bruno.post("/api/accounts", json={"name": "mallory", "password": "x" * 12},
                   headers={"X-CSRFToken": bruno.cookies["csrftoken"]})
    assert r.status_code == 401  # an editor adds no accounts
    assert bruno.get("/api/session").json()["account"] == {"name": "bruno", "roles": ["editor"], "disabled": False,
                                                           "last_change": None}
    out = bruno.delete("/api/session", headers={"X-CSRFToken": bruno.cookies["csrftoken"]})
    assert out.status_code == 200 and SESSION_COOKIE not in bruno.cookies
    assert bruno.get("/api/session").status_code == 401
    wrong = httpx.post(f"{srv.url}/api/session", json={"name": "alice", "password": "not-her-password"})
    assert wrong.status_code == 401
    bruno.close()
    vanna.close()


def test_a_socket_session_needs_the_csrf_token(hall: Any) -> None:
    srv, _ = hall
    web = signed_in(srv, "alice")

    async def connect(auth: dict[str, Any]) -> bool:
        sio = socketio.AsyncClient()
        jar = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
        try:
            await sio.connect(srv.url, namespaces=["/clerk"], transports=["websocket"], headers={"Cookie": jar},
                              auth=auth, wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            return False
        await sio.disconnect()
        return True

    assert asyncio.run(connect({"v": PROTOCOL_VERSION, "csrf": web.cookies["csrftoken"]}))
    assert not asyncio.run(connect({"v": PROTOCOL_VERSION, "csrf": "forged"}))
    assert not asyncio.run(connect({"v": PROTOCOL_VERSION}))
    web.close()


def test_signing_out_ends_the_session_of_an_open_socket(hall: Any) -> None:
    srv, summary = hall
    web = signed_in(srv, "alice")

    async def run() -> tuple[Any, Any]:
        sio = socketio.AsyncClient()
        jar = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
        await sio.connect(srv.url, namespaces=["/clerk"], transports=["websocket"], headers={"Cookie": jar},
                          auth={"v": PROTOCOL_VERSION, "csrf": web.cookies["csrftoken"]}, wait_timeout=10)
        revise = {"v": PROTOCOL_VERSION, "stream": summary["sitting"],
                  "cmd": {"type": "transcript.revise", "segment_id": "nope", "text": "x", "status": "corrected"}}
        before = await sio.call("command", {**revise, "id": uuid.uuid4().hex}, namespace="/clerk", timeout=10)
        assert web.delete("/api/session", headers={"X-CSRFToken": web.cookies["csrftoken"]}).status_code == 200
        after = await sio.call("command", {**revise, "id": uuid.uuid4().hex}, namespace="/clerk", timeout=10)
        await sio.disconnect()
        return before, after

    before, after = asyncio.run(run())
    assert before["error"]["code"] == "unknown_item", before  # heard, and refused for its own reason
    assert after["error"]["code"] == "unauthenticated", after
    web.close()


def test_guessing_passwords_is_throttled(hall: Any) -> None:
    srv, _ = hall
    answers = [httpx.post(f"{srv.url}/api/session", json={"name": "guessed", "password": f"guess-{i:04d}"})
               for i in range(11)]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert answers[-1].json()["error"]["code"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 0
    throttle = SignInThrottle()
    assert [throttle.wait("x", "10.0.0.1", 0.0) for _ in range(10)] == [0.0] * 10
    assert throttle.wait("x", "10.0.0.1", 0.0) == pytest.approx(30.0)
    assert throttle.wait("x", "10.0.0.1", 30.0) == 0.0  # one more after 30 s
    assert throttle.wait("y", "10.0.0.1", 30.0) == 0.0  # another name from the same address


def state_changing_routes(tmp_path: Path) -> list[tuple[str, str]]:
    """(method, path) of every state-changing route, read from the app's own Starlette router."""
    app = create_app(ServerConfig(db_url="sqlite://", admin_token="x", server_key=tmp_path / "server.key",
                                  data_dir=tmp_path, archive_dir=tmp_path / "archive"))
    found = []
    for route in app.other_asgi_app.routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) & STATE_CHANGING):
                path = route.path.replace("{code}", "ABCD2345").replace("{sitting}", "s1").replace("{name}", "vanna")
                found.append((method, path))
    return found


def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(hall: Any, tmp_path: Path) -> None:
    srv, _ = hall
    web = signed_in(srv, "alice")
    routes = state_changing_routes(tmp_path)
    assert {("POST", "/api/session"), ("DELETE", "/api/session"), ("POST", "/api/accounts"),
            ("POST", "/api/session/password"), ("POST", "/api/accounts/vanna/password"),
            ("POST", "/api/accounts/vanna/disabled"),
            ("POST", "/api/documents"), ("POST", "/api/roster"), ("POST", "/api/pairings")} <= set(routes)
    for method, path in routes:
        bodies = ({"content": b"%PDF-1.4", "headers": {"Content-Type": "application/pdf"}},
                  {"json": {}}, {"content": b"a=b", "headers": {"Content-Type": "application/x-www-form-urlencoded"}})
        for body in bodies:
            r = web.request(method, path, **body)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (method, path, r.text)
        ok = web.request(method, path, json={}, headers={"X-CSRFToken": web.cookies["csrftoken"]})
        assert ok.status_code != 403, (method, path, ok.text)
    web.close()
    # Scripts with the admin token as a Bearer header carry no cookie: they pass to the route's own checks.
    r = httpx.post(f"{srv.url}/api/accounts", json={"name": "script-made", "password": "p" * 12},
                   headers={"Authorization": f"Bearer {srv.admin_token}"})
    assert r.status_code == 201, r.text


def test_passwords_are_argon2id_hashes_and_sessions_expire(db_url: str) -> None:
    """On SQLite and PostgreSQL (times in ms since the epoch need 64 bits there)."""
    log = EventLog(db_url)
    accounts = Accounts(log.engine)
    accounts.add("sokha", "a long enough password", ["clerk", "editor"], by="admin")
    with accounts.engine.connect() as db:
        stored = db.exec_driver_sql("select password_hash from accounts").scalar_one()
    assert stored.startswith("$argon2id$") and "a long enough password" not in stored
    assert accounts.sign_in("sokha", "wrong password here") is None
    assert accounts.sign_in("nobody", "a long enough password") is None
    session = accounts.sign_in("sokha", "a long enough password")
    assert session is not None and accounts.session(session.token) == session.account
    with accounts.engine.begin() as db:
        db.exec_driver_sql("update sessions set expires_ms = 0")
    assert accounts.session(session.token) is None
    assert may_command(["editor"], "transcript.revise") and not may_command(["editor"], "sitting.create")
    assert may_command(["operator"], "device.enrol") and may_command(["clerk"], "sitting.create")
    log.close()


def test_the_session_cookie_is_secure_over_https(tmp_path: Path) -> None:
    app = create_app(ServerConfig(db_url=f"sqlite:///{tmp_path / 'hall.db'}", admin_token="t" * 24,
                                  server_key=tmp_path / "server.key", data_dir=tmp_path,
                                  archive_dir=tmp_path / "archive"))
    web = app.other_asgi_app
    with TestClient(web, base_url="https://hall.example") as client:
        Accounts(web.state.hall.store.log.engine).add("sokha", "a long enough password", ["clerk"], by="admin")
        assert client.get("/api/server").status_code == 200  # any answer sets the csrftoken cookie
        r = client.post("/api/session", json={"name": "sokha", "password": "a long enough password"},
                        headers={"X-CSRFToken": client.cookies["csrftoken"]})
        assert r.status_code == 200
        session = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
        assert {"httponly", "secure", "samesite=strict"} <= {p.strip().lower() for p in session.split(";")}
