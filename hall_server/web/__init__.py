"""The browser apps: pages, built assets, the Khmer font, documents. Served by the hall server.

    GET  /                      a page that links the four apps
    GET  /seat /chair /display /clerk   the apps (an HTML shell each; the JS does the rest)
    GET  /static/dist/...       the bundle built from ``web/`` (esbuild)
    GET  /static/fonts/NotoSansKhmer.ttf   the shipped font (fontpkg-noto-sans-khmer)
    POST /api/documents         a clerk uploads a PDF; stored under data_dir/documents/<sha256>
    POST /api/roster            a clerk imports members from CSV or XLSX (``roster.py``)
    GET  /api/roster/sheets/<id>   the PIN sheet of an import with new_pins, once (``roster.py``)
    GET  /documents/<sha256>    an enrolled device (with its document pass) or a clerk reads it
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route

from hall_server.hall import Caller, Hall
from hall_server.web.documents import DocumentPasses, DocumentStore, document_routes
from hall_server.web.pages import APPS, font_route, index, page, static_app
from hall_server.web.roster import roster_routes

Authenticate = Callable[[Request], Awaitable[Caller | None]]  # transport.sessions.Identify

__all__ = ["APPS", "Authenticate", "DocumentPasses", "web_routes"]


def web_routes(hall: Hall, data_dir: Path, authenticate_clerk: Authenticate,
               passes: DocumentPasses) -> list[BaseRoute]:
    """Routes for the seat, chair, display and clerk pages and their documents."""
    store = DocumentStore(data_dir / "documents")
    return [
        Route("/", index),
        *(Route(f"/{app}", page(app)) for app in APPS),
        font_route(),
        Mount("/static/dist", app=static_app(), name="dist"),
        *document_routes(store, authenticate_clerk, passes,
                         lambda device_id: hall.registry.active_device(device_id) is not None),
        *roster_routes(hall, authenticate_clerk),
    ]
