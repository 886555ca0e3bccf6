"""Changing an account after it was added: its own password, a reset by a manager, disabling and enabling.

The store on SQLite and PostgreSQL, then the HTTP routes over a real server: sessions end when they
should (an open socket too), a disabled account cannot sign in and stays listed, nobody can lock the
hall out of its accounts, and every change is recorded with who made it and when.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import text

from hall_server.accounts import Accounts
from hall_server.store import EventLog
from protocol.errors import ErrorCode, ProtocolError
from protocol.version import PROTOCOL_VERSION
from tests.hall import ServerProcess


def refused(code: ErrorCode, call: Any, *args: Any) -> dict[str, Any]:
    with pytest.raises(ProtocolError) as caught:
        call(*args)
    assert caught.value.code is code, caught.value
    return caught.value.details


def changes(accounts: Accounts) -> list[tuple[str, str, str]]:
    with accounts.engine.connect() as db:
        rows = db.exec_driver_sql("select account, change, by, at_ms from account_changes order by id").all()
    assert all(abs(at - time.time() * 1000) < 60_000 for *_, at in rows)  # ms since the epoch, just now
    return [(a, c, b) for a, c, b, _ in rows]


def test_passwords_change_and_reset_and_sessions_end(db_url: str) -> None:
    log = EventLog(db_url)
    accounts = Accounts(log.engine)
    accounts.add("sokha", "sokha-first-password", ["clerk"], by="admin")
    accounts.add("bopha", "bopha-first-password", ["editor"], by="sokha")
    here = accounts.sign_in("sokha", "sokha-first-password")
    there = accounts.sign_in("sokha", "sokha-first-password")
    assert here is not None and there is not None

    def stored(name: str) -> str:
        with accounts.engine.connect() as db:
            return str(db.execute(text("select password_hash from accounts where name = :name"),
                                  {"name": name}).scalar_one())

    before = stored("sokha")
    refused(ErrorCode.BAD_CREDENTIAL, accounts.change_password, here.token, "not-the-password", "sokha-second-one")
    assert refused(ErrorCode.MALFORMED, accounts.change_password, here.token, "sokha-first-password", "short") == {}
    refused(ErrorCode.UNAUTHENTICATED, accounts.change_password, "made-up-token", "sokha-first-password",
            "sokha-second-one")
    assert stored("sokha") == before  # refusals change nothing

    changed = accounts.change_password(here.token, "sokha-first-password", "sokha-second-one")
    assert changed.last_change is not None and changed.last_change.change == "password_changed"
    after = stored("sokha")
    assert after != before and after.startswith("$argon2id$")
    assert accounts.sign_in("sokha", "sokha-first-password") is None
    assert accounts.session(here.token) is not None  # this session stays
    assert accounts.session(there.token) is None  # the other ended
    assert accounts.sign_in("sokha", "sokha-second-one") is not None

    bopha = accounts.sign_in("bopha", "bopha-first-password")
    assert bopha is not None
    assert refused(ErrorCode.INVALID_STATE, accounts.reset_password, "sokha", "sokha-third-one", "sokha") == {
        "name": "sokha", "reason": "self"}
    assert refused(ErrorCode.UNKNOWN_ACCOUNT, accounts.reset_password, "nobody", "a long enough one", "sokha") == {
        "name": "nobody"}
    accounts.reset_password("bopha", "bopha-given-password", by="sokha")
    assert accounts.session(bopha.token) is None
    assert accounts.sign_in("bopha", "bopha-first-password") is None
    assert accounts.sign_in("bopha", "bopha-given-password") is not None
    assert changes(accounts) == [("sokha", "password_changed", "sokha"), ("bopha", "password_reset", "sokha")]
    log.close()


def test_disabled_accounts_cannot_sign_in_and_the_last_manager_stays(db_url: str) -> None:
    log = EventLog(db_url)
    accounts = Accounts(log.engine)
    for name, roles in (("sokha", ["clerk"]), ("dara", ["clerk", "editor"]), ("bopha", ["editor"])):
        accounts.add(name, f"{name}-long-password", roles, by="admin")
    bopha = accounts.sign_in("bopha", "bopha-long-password")
    assert bopha is not None

    off = accounts.set_disabled("bopha", True, by="sokha")
    assert off.disabled and off.public()["last_change"]["by"] == "sokha"  # type: ignore[index]
    assert accounts.session(bopha.token) is None
    assert accounts.sign_in("bopha", "bopha-long-password") is None
    assert accounts.set_disabled("bopha", True, by="dara") == off  # already so: nothing changes or is recorded
    assert [(a.name, a.disabled) for a in accounts.listing()] == [("bopha", True), ("dara", False), ("sokha", False)]

    assert refused(ErrorCode.INVALID_STATE, accounts.set_disabled, "sokha", True, "sokha") == {
        "name": "sokha", "reason": "self"}
    assert refused(ErrorCode.UNKNOWN_ACCOUNT, accounts.set_disabled, "nobody", True, "sokha") == {"name": "nobody"}
    accounts.set_disabled("dara", True, by="sokha")
    assert refused(ErrorCode.INVALID_STATE, accounts.set_disabled, "sokha", True, "admin") == {
        "name": "sokha", "reason": "last_manager"}
    assert not accounts.listing()[2].disabled

    accounts.set_disabled("bopha", False, by="admin")
    assert accounts.sign_in("bopha", "bopha-long-password") is not None
    assert changes(accounts) == [("bopha", "disabled", "sokha"), ("dara", "disabled", "sokha"),
                                 ("bopha", "enabled", "admin")]
    log.close()


PASSWORDS = {"alice": "alice-correct-horse", "bruno": "bruno-battery-staple", "vanna": "vanna-only-devices"}


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("account-changes")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    for name, role in (("alice", "clerk"), ("bruno", "clerk"), ("vanna", "operator")):
        r = httpx.post(f"{srv.url}/api/accounts", json={"name": name, "password": PASSWORDS[name], "roles": [role]},
                       headers={"Authorization": f"Bearer {srv.admin_token}"})
        assert r.status_code == 201, r.text
    yield srv
    srv.stop()


def signed_in(srv: ServerProcess, name: str, password: str | None = None) -> httpx.Client:
    web = httpx.Client(base_url=srv.url, timeout=30)
    assert web.get("/clerk").status_code == 200
    r = post(web, "/api/session", {"name": name, "password": password or PASSWORDS[name]})
    assert r.status_code == 200, r.text
    return web


def post(web: httpx.Client, path: str, body: Any) -> httpx.Response:
    """A page's POST: JSON, the csrftoken echoed."""
    return web.post(path, json=body, headers={"X-CSRFToken": web.cookies["csrftoken"]})


def error_of(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json" and r.json()["ok"] is False
    return dict(r.json()["error"])


def test_a_manager_resets_disables_and_enables_over_http(hall: ServerProcess) -> None:
    alice, bruno, vanna = signed_in(hall, "alice"), signed_in(hall, "bruno"), signed_in(hall, "vanna")
    assert error_of(post(vanna, "/api/accounts/bruno/password", {"password": "vanna-chose-this"}), 401)["code"] == \
        "unauthenticated"  # an operator manages no accounts
    assert error_of(post(vanna, "/api/accounts/bruno/disabled", {"disabled": True}), 401)["code"] == "unauthenticated"
    assert error_of(alice.post("/api/accounts/bruno/disabled", json={"disabled": True}), 403)["code"] == "forbidden"
    assert error_of(post(alice, "/api/accounts/bruno/disabled", {"disabled": "yes"}), 400)["code"] == "malformed"
    assert error_of(post(alice, "/api/accounts/bruno/password", {"password": "short"}), 400)["code"] == "malformed"
    assert error_of(alice.post("/api/accounts/bruno/password", content=b"{not json",
                               headers={"X-CSRFToken": alice.cookies["csrftoken"]}), 400)["code"] == "malformed"
    assert error_of(post(alice, "/api/accounts/nobody/disabled", {"disabled": True}), 404)["code"] == \
        "unknown_account"
    assert error_of(post(alice, "/api/accounts/alice/password", {"password": "alice-by-a-reset"}), 409)[
        "details"] == {"name": "alice", "reason": "self"}

    r = post(alice, "/api/accounts/vanna/password", {"password": "vanna-given-by-alice"})
    assert r.status_code == 200 and r.json()["account"]["last_change"]["change"] == "password_reset"
    assert vanna.get("/api/session").status_code == 401  # the reset ended the session
    signed_in(hall, "vanna", "vanna-given-by-alice").close()

    async def disabled_while_connected() -> tuple[dict[str, Any], bool]:
        sio = socketio.AsyncClient(reconnection=False)
        jar = "; ".join(f"{k}={v}" for k, v in bruno.cookies.items())
        await sio.connect(hall.url, namespaces=["/clerk"], transports=["websocket"], headers={"Cookie": jar},
                          auth={"v": PROTOCOL_VERSION, "csrf": bruno.cookies["csrftoken"]}, wait_timeout=10)
        answer = await asyncio.to_thread(post, alice, "/api/accounts/bruno/disabled", {"disabled": True})
        for _ in range(50):
            if not sio.connected:
                break
            await asyncio.sleep(0.1)
        dropped = not sio.connected
        if sio.connected:
            await sio.disconnect()
        return answer.json(), dropped

    off, dropped = asyncio.run(disabled_while_connected())
    assert off["account"]["disabled"] and off["account"]["last_change"]["by"] == "alice"
    assert dropped  # the server dropped the disabled account's open socket
    assert error_of(bruno.get("/api/accounts"), 401)["code"] == "unauthenticated"
    assert error_of(bruno.get("/api/session"), 401)["code"] == "unauthenticated"
    web = httpx.Client(base_url=hall.url, timeout=30)
    web.get("/clerk")
    assert error_of(post(web, "/api/session", {"name": "bruno", "password": PASSWORDS["bruno"]}), 401)["code"] == \
        "unauthenticated"
    listed = {a["name"]: a for a in alice.get("/api/accounts").json()["accounts"]}
    assert listed["bruno"]["disabled"] and not listed["alice"]["disabled"]

    assert error_of(post(alice, "/api/accounts/alice/disabled", {"disabled": True}), 409)["details"] == {
        "name": "alice", "reason": "self"}
    last = httpx.post(f"{hall.url}/api/accounts/alice/disabled", json={"disabled": True},
                      headers={"Authorization": f"Bearer {hall.admin_token}"})
    assert error_of(last, 409)["details"] == {"name": "alice", "reason": "last_manager"}

    on = post(alice, "/api/accounts/bruno/disabled", {"disabled": False})
    assert on.status_code == 200 and not on.json()["account"]["disabled"]
    signed_in(hall, "bruno").close()
    for client in (alice, bruno, vanna, web):
        client.close()


def test_an_account_changes_its_own_password(hall: ServerProcess) -> None:
    here, there = signed_in(hall, "bruno"), signed_in(hall, "bruno")
    path = "/api/session/password"
    assert error_of(post(here, path, {"password": "wrong-current-one", "new_password": "bruno-next-password"}),
                    403)["code"] == "bad_credential"
    assert error_of(post(here, path, {"password": PASSWORDS["bruno"], "new_password": "short"}), 400)["code"] == \
        "malformed"
    assert error_of(post(here, path, {"password": PASSWORDS["bruno"]}), 400)["code"] == "malformed"
    assert error_of(here.post(path, json={"password": PASSWORDS["bruno"], "new_password": "bruno-next-password"}),
                    403)["code"] == "forbidden"  # no CSRF token
    outsider = httpx.Client(base_url=hall.url, timeout=30)
    outsider.get("/clerk")
    assert error_of(post(outsider, path, {"password": PASSWORDS["bruno"], "new_password": "bruno-next-password"}),
                    401)["code"] == "unauthenticated"

    r = post(here, path, {"password": PASSWORDS["bruno"], "new_password": "bruno-next-password"})
    assert r.status_code == 200, r.text
    assert r.json()["account"]["last_change"] | {"at_ms": 0} == {"change": "password_changed", "by": "bruno",
                                                                 "at_ms": 0}
    assert here.get("/api/session").status_code == 200  # this session stays
    assert there.get("/api/session").status_code == 401  # the other ended
    assert error_of(post(outsider, "/api/session", {"name": "bruno", "password": PASSWORDS["bruno"]}), 401)
    signed_in(hall, "bruno", "bruno-next-password").close()
    for client in (here, there, outsider):
        client.close()
