""""Report an error" beside a status on a recommendation's page: the corrections row (docs/analysts/corrections.md)
for that recommendation, axis and statement, ready for an analyst to fill in `status` and `analyst` and drop
into $TRACKER_HOME/corrections/ as it is. Offered as a CSV file in a data: link (a download, which the pages'
Content-Security-Policy does not govern: nothing is loaded) and, with TRACKER_CORRECTIONS_EMAIL set, as an
email with the same row in its body."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import quote

from tracker.corrections import COLUMNS
from tracker.publish.site.context import Context
from tracker.publish.site.markup import e


def correction_csv(review_id: str, number: int, axis: str, quote_text: str | None, source_url: str | None,
                   said_on: date | None) -> str:
    """The header and one row; status and analyst left for the analyst (a row without them is not applied)."""
    row = {"review_id": review_id, "number": number, "axis": axis, "status": "", "quote": quote_text or "",
           "source_url": source_url or "", "analyst": "", "date": said_on.isoformat() if said_on else ""}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def report_link(ctx: Context, review_id: str, number: int, axis: str, what: str, quote_text: str | None = None,
                source_url: str | None = None, said_on: date | None = None) -> str:
    """`what` finishes "Report an error in ..." for screen readers ("the response status", "this statement")."""
    row = correction_csv(review_id, number, axis, quote_text, source_url, said_on)
    href = "data:text/csv;charset=utf-8," + quote("\ufeff" + row, safe="")
    name = f"correction-{review_id}-{number}-{axis}.csv"
    parts = [f"<a class='report' href='{e(href)}' download='{e(name)}'>Report an error<span class='vh'> in {e(what)}"
             "</span> (corrections row, CSV)</a>"]
    if ctx.corrections_email:
        subject = quote(f"Correction: {review_id} recommendation {number}, {axis}", safe="")
        body = quote("Fill in status and analyst, then add this row to a corrections file:\r\n\r\n" + row, safe="")
        parts.append(f" <a class='report' href='{e(f'mailto:{ctx.corrections_email}?subject={subject}&body={body}')}'>"
                     f"email it<span class='vh'> to {e(ctx.corrections_email)}</span></a>")
    return f"<span class='report-error' data-axis='{e(axis)}'>{''.join(parts)}</span>"
