"""A network namespace joined to ours by a veth pair (iproute2; needs root).

aioice leaves 127.0.0.1 out of its host candidates, so two aiortc peers on
one machine need addresses of their own: one peer runs inside the namespace
(``ip netns exec``) and media can only flow over the veth pair.
"""

from __future__ import annotations

import random
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Netns", "veth_namespace"]


@dataclass(frozen=True)
class Netns:
    """A namespace ``name``; our end of the veth is ``host_ip``, theirs ``member_ip``."""

    name: str
    host_ip: str
    member_ip: str

    def exec(self) -> list[str]:
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.name]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def veth_namespace() -> Iterator[Netns]:
    """Make the namespace and the pair (a random 10.x.y.0/24); remove both however the block ends."""
    tag = uuid.uuid4().hex[:6]
    name, ours, theirs = f"hm-{tag}", f"hma{tag}", f"hmb{tag}"
    net = f"10.{random.randrange(100, 250)}.{random.randrange(0, 255)}"
    made = []
    try:
        _ip("netns", "add", name)
        made.append(("netns", "del", name))
        _ip("link", "add", ours, "type", "veth", "peer", "name", theirs)
        made.append(("link", "del", ours))
        _ip("link", "set", theirs, "netns", name)
        _ip("addr", "add", f"{net}.1/24", "dev", ours)
        _ip("link", "set", ours, "up")
        _ip("-n", name, "addr", "add", f"{net}.2/24", "dev", theirs)
        _ip("-n", name, "link", "set", theirs, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        yield Netns(name, f"{net}.1", f"{net}.2")
    finally:
        for args in reversed(made):
            subprocess.run(["ip", *args], capture_output=True)
