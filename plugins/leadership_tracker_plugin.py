"""Airflow 3 UI plugin: a "Leadership tracker" page served by the api-server.

* ``fastapi_apps`` mounts a small FastAPI app at ``/leadership-tracker``:
    - ``/``                 progress by review, read from the published warehouse (read-only)
    - ``/briefing``         the HTML briefing ``$TRACKER_HOME/site/index.html`` (also ``/index.html``), with the
                            pages it links: ``/summary.html``, ``/progress.html``, ``/methodology.html``,
                            ``/recommendations/{page}``, ``/downloads/{file}``, ``/feeds/{feed}.atom``
    - ``/exports/{file}``   the CSV files of ``$TRACKER_HOME/exports/latest/``
* ``external_views`` adds a navigation entry (Browse menu) that shows the page inside the UI.

The page only reads the ``review_progress`` view and the ``warehouse_info`` and ``status_vocabulary``
tables; there is no business logic here. The status columns and their headings are the published
warehouse's ``status_vocabulary`` (the one vocabulary, tracker/vocabulary.py, as the run wrote it): the
plugin may import nothing of ``tracker`` but its settings, so it reads the labels where the data is.
When nothing is published yet it shows a friendly page instead of failing.

Auth: FastAPI plugin apps are not protected by Airflow automatically. Every route depends on
Airflow's own ``requires_access_dag("GET", RUN, "nhs_leadership_tracker")`` (airflow.api_fastapi.core_api.security),
so the auth manager in use decides: the same credentials as the UI/API (the UI's ``_token`` cookie, which
the embedded page sends, or an ``Authorization: Bearer <jwt>`` header; 401 without one) and the same
permission as reading the tracker DAG's runs (403 without it). Under the FAB auth manager that is the
Analyst and Operator roles of docker-compose.yml (``can_read`` on DAGs and DAG Runs, or on
``DAG:nhs_leadership_tracker``); under SimpleAuthManager (development only) any viewer.
``create_app(require_auth=False)`` is for unit tests only: the app Airflow mounts always requires it.

Archived captures (``/captures/{sha256}.{ext}``) are hostile web content, inert or not: they are served with
``X-Content-Type-Options: nosniff`` and a ``sandbox`` Content-Security-Policy (no scripts, no forms, an opaque
origin that cannot reach the API with the user's cookie, no loads except inline styles and data: images).
Under that policy an HTML capture is served as text/html (readable, as on the briefing's USB copy) rather
than text/plain. Browsers' built-in PDF viewers refuse to run in a sandboxed document, so a PDF capture is
sent as a download (``Content-Disposition: attachment``) instead of being shown in a tab.

The app Airflow mounts is built on its first request (``BuiltOnFirstRequest``): every Airflow process
imports plugins, and only the api-server should load its security module and ORM models.
TRACKER_HOME is read per request by ``tracker.settings.home_from_env``, the reader the pipeline uses:
that module is standard library only (about 15 ms to import), unlike the rest of ``tracker``.
"""

from __future__ import annotations

import html
import os
import re
import threading
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from airflow.plugins_manager import AirflowPlugin
from tracker.settings import home_from_env

URL_PREFIX = "/leadership-tracker"
# Seeing the tracker's pages is seeing what the tracker DAG's runs published: the same permission.
TRACKER_DAG_ID = "nhs_leadership_tracker"

# (column in review_progress, heading): the columns that are not status counts. The status columns go
# between the last two, one per row of the warehouse's status_vocabulary, headed by its label.
COLUMNS = [
    ("review_id", "Review"),
    ("title", "Title"),
    ("recommendations", "Recommendations"),
    ("expected_recommendations", "Expected"),
    ("pct_implemented", "% implemented"),
]
# Response statuses first, each axis in its display order; only statuses review_progress counts (an
# older warehouse's view may count fewer than its vocabulary holds).
STATUS_COLUMNS_SQL = """
    SELECT v.status, v.label FROM status_vocabulary AS v
    WHERE v.status IN (SELECT column_name FROM duckdb_columns()
                       WHERE database_name = current_database() AND table_name = 'review_progress')
    ORDER BY v.axis DESC, v.position"""

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#1d2a35}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left}
th{background:#eef2f6}td.num{text-align:right}.meta{color:#556;font-size:.85rem}
"""


def tracker_home() -> Path:
    """TRACKER_HOME, read per request exactly as tracker.settings reads it."""
    return home_from_env(os.environ)


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
# Captures are hostile pages: no scripts, forms or plugins, an opaque origin, nothing fetched from anywhere.
CAPTURE_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
_CAPTURE_MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".pdf": "application/pdf"}
_CAPTURE_NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*-[0-9]+\.html$")
_FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.atom$")


def _columns(con) -> list[tuple[str, str]]:
    """COLUMNS with the warehouse's status columns and labels in their place (before the last)."""
    return [*COLUMNS[:-1], *con.execute(STATUS_COLUMNS_SQL).fetchall(), COLUMNS[-1]]


def read_progress(warehouse: Path) -> tuple[list[tuple[str, str]], list[tuple], tuple | None]:
    """The columns with their headings, the rows of review_progress and the warehouse_info row, read-only."""
    from tracker.warehouse.db import attach_read_only  # not a connection by path: see its docstring

    con = attach_read_only(warehouse)
    try:
        columns = _columns(con)
        # the names come from COLUMNS and from status_vocabulary rows that are review_progress's own columns
        cols = ", ".join(f'"{c}"' for c, _ in columns)
        rows = con.execute(f"SELECT {cols} FROM review_progress ORDER BY review_id").fetchall()
        info = con.execute("SELECT run_id, published_at, version_file FROM warehouse_info").fetchall()
        return columns, rows, (info[0] if info else None)
    finally:
        con.close()


def _not_published_page() -> HTMLResponse:
    return _page(
        "Leadership tracker",
        "<p class='not-published'>Not published yet: no warehouse has been published. "
        "Run the <code>nhs_leadership_tracker</code> DAG and come back when <code>publish</code> has succeeded.</p>",
    )


def _meta(info: tuple | None) -> str:
    if not info:
        return ""
    run_id, published_at, version_file = info
    return (
        f"<p class='meta'>Run <span id='run-id'>{html.escape(str(run_id))}</span>, published "
        f"{html.escape(str(published_at))} UTC ({html.escape(str(version_file))})</p>"
    )


def _links(home: Path) -> str:
    links = ""
    if (home / "site" / "index.html").is_file():
        links += "<li><a id='briefing' href='briefing' target='_blank' rel='noopener'>HTML briefing</a></li>"
    links += "".join(
        f"<li><a class='export' href='exports/{html.escape(name)}'>{html.escape(name)}</a></li>"
        for name in _latest_exports(home)
    )
    return links or "<li>none yet</li>"


def _progress_page(home: Path, columns: list[tuple[str, str]], rows: list[tuple], info: tuple | None) -> HTMLResponse:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return _page(
        "Leadership tracker",
        f"{_meta(info)}<h2>Progress by review</h2><table id='progress'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table><h2>Briefing and latest exports</h2><ul>{_links(home)}</ul>",
    )


def _site_file(*parts: str) -> Path | None:
    path = tracker_home().joinpath("site", *parts)
    return path if path.is_file() else None


router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    home = tracker_home()
    warehouse = home / "tracker.duckdb"
    if not warehouse.is_file():
        return _not_published_page()
    try:
        columns, rows, info = read_progress(warehouse)
    except Exception as exc:  # a half-written or foreign file must not break the UI
        return _page(
            "Leadership tracker",
            f"<p class='error'>The published warehouse could not be read ({html.escape(type(exc).__name__)}).</p>",
            status_code=503,
        )
    return _progress_page(home, columns, rows, info)


@router.get("/briefing")
@router.get("/index.html")
def briefing():
    path = _site_file("index.html")
    if path is None:
        return _page("Briefing not written yet", "<p>The outputs DAG has not written the briefing yet.</p>", 404)
    return FileResponse(path, media_type="text/html")


@router.get("/summary.html")
@router.get("/progress.html")
@router.get("/methodology.html")
def briefing_page(request: Request):
    """The briefing's other pages: the summary, progress over time, how to read it."""
    path = _site_file(request.url.path.rsplit("/", 1)[-1])
    if path is None:
        raise HTTPException(status_code=404, detail="not written yet")
    return FileResponse(path, media_type="text/html")


@router.get("/feeds/{name}")
def briefing_feed(name: str):
    """The Atom feeds of the changes (feeds/changes.atom, feeds/<review>.atom), as the index announces them."""
    path = _site_file("feeds", name) if _FEED_NAME.match(name) else None
    if path is None:
        raise HTTPException(status_code=404, detail="no such feed")
    return FileResponse(path, media_type="application/atom+xml")


@router.get("/recommendations/{name}")
def recommendation_page(name: str):
    """A recommendation's own page, as the briefing links it (recommendations/<review>-<number>.html)."""
    path = _site_file("recommendations", name) if _PAGE_NAME.match(name) else None
    if path is None:
        raise HTTPException(status_code=404, detail="no such recommendation page")
    return FileResponse(path, media_type="text/html")


@router.get("/exports/{name}")
@router.get("/downloads/{name}")  # the tables copied into the briefing (site/downloads/): the same files
def export(name: str):
    home = tracker_home()
    if name not in _latest_exports(home):  # only files listed in exports/latest: no path tricks
        raise HTTPException(status_code=404, detail="no such export")
    return FileResponse(home / "exports" / "latest" / name, media_type=_MEDIA_TYPES[Path(name).suffix], filename=name)


@router.get("/captures/{name}")
def capture(name: str):
    """The archived copy behind a quote, as the briefing links it (named by its SHA-256), sandboxed."""
    path = _site_file("captures", name) if _CAPTURE_NAME.match(name) else None
    if path is None:
        raise HTTPException(status_code=404, detail="no such capture")
    suffix = path.suffix
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": CAPTURE_CSP}
    if suffix == ".pdf":
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return FileResponse(path, media_type=_CAPTURE_MEDIA_TYPES.get(suffix, "text/plain; charset=utf-8"), headers=headers)


def _tracker_reader():
    """Airflow's own check: the caller's credentials, and the permission to read the tracker DAG's runs."""
    # Imported here, i.e. in the api-server when the app is built, not when the module is: every Airflow
    # process imports plugins (the task runner does, for macros), and this module brings the api-server's
    # ORM models with it (~500 modules, ~1 s per task process).
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return Depends(requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=TRACKER_DAG_ID))


def create_app(require_auth: bool = True) -> FastAPI:
    """The plugin's app; every route needs read access to the tracker DAG's runs unless require_auth is False."""
    deps = [_tracker_reader()] if require_auth else []
    app = FastAPI(title="NHS leadership tracker", dependencies=deps, docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(router)
    return app


class BuiltOnFirstRequest:
    """An ASGI app that builds the real one with `build` on its first request (so only the api-server ever does)."""

    def __init__(self, build) -> None:
        self._build = build
        self._app = None
        self._lock = threading.Lock()

    @property
    def built(self) -> FastAPI:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        return self._app

    async def __call__(self, scope, receive, send) -> None:
        await self.built(scope, receive, send)


app = BuiltOnFirstRequest(create_app)


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
