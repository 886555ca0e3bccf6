"""The HTML shells of the five apps, their built assets and the shipped Khmer font.

Each page is the same small shell: the stylesheet, one ES module, and a
``<noscript>``. Everything on screen is drawn by the module from the
sitting's public view, so the server renders no state into HTML.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIST = Path(__file__).resolve().parent / "static" / "dist"
APPS = ("seat", "remote", "chair", "display", "clerk")
TITLES = {
    "seat": ("កៅអីសមាជិក", "Member's seat"),
    "remote": ("សមាជិកពីចម្ងាយ", "Remote member"),
    "chair": ("តុប្រធានអង្គប្រជុំ", "Presiding console"),
    "display": ("អេក្រង់សាលប្រជុំ", "Hall display"),
    "clerk": ("លេខាធិការដ្ឋាន", "Clerk's workstation"),
}
# Pages load only what the hall server serves: no CDN, no remote font, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def font_path() -> Path:
    """The variable Noto Sans Khmer TTF from its installed package (covers Latin too)."""
    folder = Path(str(files("fontpkg_noto_sans_khmer"))) / "files"
    found = sorted(folder.glob("NotoSansKhmer*.ttf"))
    if not found:
        raise FileNotFoundError(f"no Noto Sans Khmer TTF in {folder}")
    return found[0]


def shell(app: str) -> str:
    km, en = TITLES[app]
    missing = not (DIST / f"{app}.js").exists()
    notice = (
        '<p class="build-missing">The browser apps are not built: run <code>make setup</code> '
        "(npm run build in web/).</p>" if missing else ""
    )
    return f"""<!doctype html>
<html lang="km" data-app="{app}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{html.escape(km)} · {html.escape(en)} — Hemicycle</title>
<link rel="preload" href="/static/fonts/NotoSansKhmer.ttf" as="font" type="font/ttf" crossorigin>
<link rel="stylesheet" href="/static/dist/app.css">
<script type="module" src="/static/dist/{app}.js"></script>
</head>
<body>
<div id="app" aria-busy="true">{notice}</div>
<noscript><p>Hemicycle needs JavaScript. / Hemicycle ត្រូវការ JavaScript ។</p></noscript>
</body>
</html>
"""


def page(app: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return HTMLResponse(shell(app), headers=HEADERS)

    endpoint.__name__ = f"{app}_page"
    return endpoint


async def index(request: Request) -> Response:
    links = "\n".join(
        f'<li><a class="btn" href="/{app}">{html.escape(TITLES[app][0])}'
        f' <span lang="en">· {html.escape(TITLES[app][1])}</span></a></li>'
        for app in APPS
    )
    body = f"""<!doctype html>
<html lang="km"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hemicycle</title><link rel="stylesheet" href="/static/dist/app.css"></head>
<body><main class="index"><h1>Hemicycle</h1><ul class="index-links">{links}</ul></main></body></html>
"""
    return HTMLResponse(body, headers=HEADERS)


def font_route() -> Route:
    path = font_path()

    async def font(request: Request) -> Response:
        return FileResponse(path, media_type="font/ttf",
                            headers={"Cache-Control": "public, max-age=86400"})

    return Route("/static/fonts/NotoSansKhmer.ttf", font)


class _Dist(StaticFiles):
    """The built bundle; revalidated on each load so a rebuild shows at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not DIST.is_dir():
            return PlainTextResponse("browser apps not built (npm run build in web/)", status_code=404)
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_app() -> StaticFiles:
    return _Dist(directory=DIST, check_dir=False)
