"""The browser apps: pages, built assets, documents. Served by the hall server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute

from hall_server.hall import Caller, Hall

Authenticate = Callable[[dict[str, Any]], Caller | None]


def web_routes(hall: Hall, data_dir: Path, authenticate_clerk: Authenticate) -> list[BaseRoute]:
    """Routes for the seat, chair, display and clerk pages and their documents."""
    return []
