"""Airflow 3 UI plugin: a "Leadership tracker" page served by the api-server.

* ``fastapi_apps`` mounts a small FastAPI app at ``/leadership-tracker``:
    - ``/``                 progress by review, read from the published warehouse (read-only)
    - ``/briefing``         the HTML briefing ``$TRACKER_HOME/site/index.html`` (also ``/index.html``), with the
                            pages it links: ``/summary.html``, ``/recommendations/{page}``, ``/downloads/{file}``
    - ``/exports/{file}``   the CSV files of ``$TRACKER_HOME/exports/latest/``
* ``external_views`` adds a navigation entry (Browse menu) that shows the page inside the UI.

The page only reads the ``review_progress`` view and ``warehouse_info`` table; there is no
business logic here. When nothing is published yet it shows a friendly page instead of failing.

Auth: FastAPI plugin apps are not protected by Airflow automatically, so every route requires
an authenticated Airflow user (the UI's ``_token`` cookie, which the embedded page sends, or an
``Authorization: Bearer <jwt>`` header). ``create_app(require_auth=False)`` is for unit tests.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/leadership-tracker"

# (column in review_progress, heading)
COLUMNS = [
    ("review_id", "Review"),
    ("title", "Title"),
    ("recommendations", "Recommendations"),
    ("expected_recommendations", "Expected"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("under_consideration", "Under consideration"),
    ("implemented", "Implemented"),
    ("partially_implemented", "Partially implemented"),
    ("in_progress", "In progress"),
    ("paused", "Paused"),
    ("superseded", "Superseded"),
    ("unknown", "Unknown"),
    ("pct_implemented", "% implemented"),
]

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#1d2a35}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left}
th{background:#eef2f6}td.num{text-align:right}.meta{color:#556;font-size:.85rem}
"""


def tracker_home() -> Path:
    """TRACKER_HOME, read per request (default ./var of the checkout, as in tracker.settings)."""
    default = Path(__file__).resolve().parent.parent / "var"
    return Path(os.environ.get("TRACKER_HOME") or default).expanduser().resolve()


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    doc = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status_code)


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, (int, float)):
        return f"<td class='num'>{html.escape(str(value))}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _latest_exports(home: Path) -> list[str]:
    folder = home / "exports" / "latest"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix in _MEDIA_TYPES)


_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/vnd.apache.parquet",
}
_CAPTURE_NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*-[0-9]+\.html$")


def read_progress(warehouse: Path) -> tuple[list[tuple], tuple | None]:
    """Rows of review_progress (in COLUMNS order) and the warehouse_info row, read-only."""
    import duckdb

    # Attached to a fresh in-memory database: duckdb.connect(path) would reuse a database instance this
    # long-lived process still holds for the path, i.e. the version published before the last rename.
    con = duckdb.connect(":memory:")
    try:
        literal = "'" + str(warehouse).replace("'", "''") + "'"  # our own path; ATTACH takes no parameters
        con.execute(f"ATTACH {literal} AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        cols = ", ".join(c for c, _ in COLUMNS)
        rows = con.execute(f"SELECT {cols} FROM review_progress ORDER BY review_id").fetchall()
        info = con.execute("SELECT run_id, published_at, version_file FROM warehouse_info").fetchall()
        return rows, (info[0] if info else None)
    finally:
        con.close()


async def _require_user(request: Request) -> None:
    """Same credentials as the Airflow UI/API: bearer JWT or the UI's session cookie."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    token = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    if not token:
        token = request.cookies.get(COOKIE_NAME_JWT_TOKEN)
    await resolve_user_from_token(token)


def create_app(require_auth: bool = True) -> FastAPI:
    deps = [Depends(_require_user)] if require_auth else []
    app = FastAPI(title="NHS leadership tracker", dependencies=deps, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        home = tracker_home()
        warehouse = home / "tracker.duckdb"
        if not warehouse.is_file():
            return _page(
                "Leadership tracker",
                "<p class='not-published'>Not published yet: no warehouse has been published. "
                "Run the <code>nhs_leadership_tracker</code> DAG and come back when <code>publish</code> has succeeded.</p>",
            )
        try:
            rows, info = read_progress(warehouse)
        except Exception as exc:  # a half-written or foreign file must not break the UI
            return _page(
                "Leadership tracker",
                f"<p class='error'>The published warehouse could not be read ({html.escape(type(exc).__name__)}).</p>",
                status_code=503,
            )
        head = "".join(f"<th>{html.escape(h)}</th>" for _, h in COLUMNS)
        body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
        meta = ""
        if info:
            run_id, published_at, version_file = info
            meta = (
                f"<p class='meta'>Run <span id='run-id'>{html.escape(str(run_id))}</span>, published "
                f"{html.escape(str(published_at))} UTC ({html.escape(str(version_file))})</p>"
            )
        exports = _latest_exports(home)
        links = ""
        if (home / "site" / "index.html").is_file():
            links += "<li><a id='briefing' href='briefing' target='_blank' rel='noopener'>HTML briefing</a></li>"
        links += "".join(
            f"<li><a class='export' href='exports/{html.escape(name)}'>{html.escape(name)}</a></li>" for name in exports
        )
        return _page(
            "Leadership tracker",
            f"{meta}<h2>Progress by review</h2><table id='progress'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table><h2>Briefing and latest exports</h2><ul>{links or '<li>none yet</li>'}</ul>",
        )

    @app.get("/briefing")
    def briefing():
        path = tracker_home() / "site" / "index.html"
        if not path.is_file():
            return _page("Briefing not written yet", "<p>The outputs DAG has not written the briefing yet.</p>", 404)
        return FileResponse(path, media_type="text/html")

    @app.get("/index.html")
    def briefing_index():
        return briefing()

    @app.get("/summary.html")
    def briefing_summary():
        path = tracker_home() / "site" / "summary.html"
        if not path.is_file():
            raise HTTPException(status_code=404, detail="no summary yet")
        return FileResponse(path, media_type="text/html")

    @app.get("/recommendations/{name}")
    def recommendation_page(name: str):
        """A recommendation's own page, as the briefing links it (recommendations/<review>-<number>.html)."""
        path = tracker_home() / "site" / "recommendations" / name
        if not _PAGE_NAME.match(name) or not path.is_file():
            raise HTTPException(status_code=404, detail="no such recommendation page")
        return FileResponse(path, media_type="text/html")

    @app.get("/downloads/{name}")
    def download(name: str):
        """The tables copied into the briefing (site/downloads/): the same files as exports/latest."""
        return export(name)

    @app.get("/exports/{name}")
    def export(name: str):
        home = tracker_home()
        if name not in _latest_exports(home):  # only files listed in exports/latest: no path tricks
            raise HTTPException(status_code=404, detail="no such export")
        return FileResponse(home / "exports" / "latest" / name, media_type=_MEDIA_TYPES[Path(name).suffix], filename=name)

    @app.get("/captures/{name}")
    def capture(name: str):
        """The archived copy behind a quote, as the briefing links it (named by its SHA-256)."""
        path = tracker_home() / "site" / "captures" / name
        if not _CAPTURE_NAME.match(name) or not path.is_file():
            raise HTTPException(status_code=404, detail="no such capture")
        return FileResponse(path, media_type="application/pdf" if name.endswith(".pdf") else "text/plain")

    return app


app = create_app(require_auth=os.environ.get("TRACKER_PLUGIN_REQUIRE_AUTH", "true").strip().lower() not in {"0", "false", "no", "off"})


class LeadershipTrackerPlugin(AirflowPlugin):
    name = "leadership_tracker"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Leadership tracker"}]
    external_views = [
        {
            "name": "Leadership tracker",
            # Relative (no leading slash) so it also works when Airflow is served under a sub-path.
            "href": URL_PREFIX.lstrip("/") + "/",
            "url_route": "leadership-tracker",
            "destination": "nav",
            "category": "browse",
        }
    ]
