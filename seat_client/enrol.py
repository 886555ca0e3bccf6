"""Enrolment from the command line: a device asks, a clerk approves.

Device side: make (or reuse) the Ed25519 key in a 0600 file, post the
public key, show the pairing code, wait until a clerk has enrolled it, and
keep the device id beside the key. Clerk side: look the code up among the
pending pairings and send ``device.enrol`` (or ``device.revoke``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp

from protocol.commands import REGISTRY_STREAM, EnrolDevice, RevokeDevice
from protocol.keyfile import load_or_create_key
from protocol.keys import public_key_hex
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey


def device_file(key_path: Path) -> Path:
    return key_path.with_suffix(key_path.suffix + ".device.json")


def load_device(key_path: Path) -> DeviceKey:
    """The identity of an enrolled key file.

    ``request_enrolment`` keeps the device id beside the key (``KEY.device.json``); a key
    in a folder of device keys (``DIR/<device_id>.pem``, as the demo and the seed write
    them) is named by its file. A missing key file is a ``FileNotFoundError``, never a new key.
    """
    if not key_path.is_file():
        raise FileNotFoundError(f"no key file at {key_path}")
    info = device_file(key_path)
    device_id = json.loads(info.read_text())["device_id"] if info.is_file() else key_path.stem
    return DeviceKey(device_id, load_or_create_key(key_path))


async def request_enrolment(url: str, key_path: Path, role: Role, label: str, timeout_s: float) -> dict[str, Any]:
    key = load_or_create_key(key_path)
    public = public_key_hex(key)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/api/pairings", json={"public_key": public, "role": role.value,
                                                          "label": label}) as r:
            body = await r.json()
            if not body.get("ok"):
                raise RuntimeError(f"pairing refused: {body.get('error')}")
        code = body["code"]
        print(f"pairing code: {code}  (give it to the clerk)", file=sys.stderr, flush=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            async with http.get(f"{url}/api/pairings/{code}") as r:
                status = await r.json()
            if status.get("status") == "enrolled":
                device_file(key_path).write_text(json.dumps(status, indent=1))
                return dict(status)
            await asyncio.sleep(0.5)
    raise TimeoutError(f"not enrolled within {timeout_s:.0f} s (code {code})")


async def approve(url: str, admin_token: str, code: str, device_id: str, role: Role,
                  member: str | None, seat: str | None) -> dict[str, Any]:
    clerk = HallClient(url, Role.CLERK, admin_token)
    await clerk.connect()
    try:
        pending = (await clerk.call("pairings", {}))["pairings"]
        match = next((p for p in pending if p["code"] == code), None)
        if match is None:
            raise LookupError(f"no pending pairing with code {code}")
        if match["role"] != role.value:
            raise ValueError(f"the device asked to be a {match['role']}, not a {role.value}")
        return await clerk.command(REGISTRY_STREAM, EnrolDevice(
            device_id=device_id, role=role, public_key=match["public_key"], member_id=member, seat=seat,
            label=match["label"]))
    finally:
        await clerk.close()


async def revoke(url: str, admin_token: str, device_id: str) -> dict[str, Any]:
    clerk = HallClient(url, Role.CLERK, admin_token)
    await clerk.connect()
    try:
        return await clerk.command(REGISTRY_STREAM, RevokeDevice(device_id=device_id))
    finally:
        await clerk.close()


__all__ = ["approve", "device_file", "load_device", "request_enrolment", "revoke"]
