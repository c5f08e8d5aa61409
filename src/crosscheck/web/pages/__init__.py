"""The analyst's workbench: server-rendered pages on the hub, one router per area.

``install(app, store, settings)`` is the one place the pages join the app:
the routers (one per area: auth, home, contributions, hits, messages, entities, search,
graph, reports), the static files (our CSS and scripts; htmx and cytoscape from npm's
node_modules, never a copy in the repository), and the redirect to the log-in page
when there is no live session.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response

from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.web.pages import (
    auth,
    contributions,
    entities,
    graph,
    hits,
    home,
    messages,
    reports,
    search,
)
from crosscheck.web.pages.common import WEB, LoginNeeded, Workbench, invalid_request

# the front-end files served, by URL name: (npm package, file inside it)
VENDOR = {
    "htmx.min.js": ("htmx.org", "dist/htmx.min.js"),
    "cytoscape.min.js": ("cytoscape", "dist/cytoscape.min.js"),
}
STATIC = {
    "workbench.css": "text/css",
    "graph.css": "text/css",
    "graph.js": "text/javascript",
    "report.css": "text/css",
    "favicon.svg": "image/svg+xml",
}


def assets_folder(settings: Settings) -> Path:
    """npm's node_modules: CROSSCHECK_WEB_ASSETS, else ``frontend/node_modules`` of the checkout."""
    if settings.web_assets:
        return Path(settings.web_assets).expanduser()
    return WEB.parents[2] / "frontend" / "node_modules"


def install(app: FastAPI, store: CaseStore, settings: Settings) -> None:
    app.state.workbench = Workbench.make(store, settings)
    app.state.login_throttle = auth.Throttle()
    vendor = assets_folder(settings)
    app.add_exception_handler(RequestValidationError, invalid_request)

    @app.exception_handler(LoginNeeded)
    async def to_login(request: Request, _: LoginNeeded) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = "/login"
        page = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method == "GET" and page != "/" and auth.local(page) == page:
            target += "?next=" + quote(page, safe="")  # back to the deep link after log-in
        return RedirectResponse(target, status_code=303)

    @app.get("/static/vendor/{name}", include_in_schema=False)
    def vendor_file(name: str) -> FileResponse:
        if name not in VENDOR:
            raise HTTPException(404, "no such file")
        package, inside = VENDOR[name]
        path = vendor / package / inside
        if not path.is_file():
            raise HTTPException(404, f"{package} is not installed: run scripts/install")
        return FileResponse(path, media_type="text/javascript")

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        return FileResponse(WEB / "static" / name, media_type=STATIC[name])

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """Browsers ask for it whatever the page links: the same drawn icon."""
        return static_file("favicon.svg")

    areas = (auth, home, contributions, hits, messages, entities, search, graph, reports)
    for area in areas:
        app.include_router(area.router, include_in_schema=False)
