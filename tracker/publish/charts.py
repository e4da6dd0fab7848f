"""Charts for the briefing, drawn with matplotlib (Agg, no pyplot state) and inlined as SVG.

The SVG is deterministic for the same data: a fixed hash salt for element ids, no date metadata,
and text kept as <text> elements (svg.fonttype none) so the page stays small and searchable.
"""

from __future__ import annotations

import io
import re

from tracker.vocabulary import IMPLEMENTATION_STATUSES as IMPLEMENTATION
from tracker.vocabulary import RESPONSE_STATUSES as RESPONSE

# NHS identity colours; the same colour for a status in the charts and in the badges.
COLOURS = {
    "accepted": "#007f3b",
    "accepted_in_principle": "#78be20",
    "partially_accepted": "#ffb81c",
    "rejected": "#d5281b",
    "under_consideration": "#41b6e6",
    "no_response": "#d8dde0",
    "implemented": "#007f3b",
    "partially_implemented": "#78be20",
    "in_progress": "#005eb8",
    "paused": "#ffb81c",
    "not_started": "#ed8b00",
    "superseded": "#7c2855",
    "unknown": "#d8dde0",
}
DARK = {"accepted", "implemented", "rejected", "in_progress", "superseded"}  # white text reads on these

_RC = {
    "svg.hashsalt": "nhs-leadership-tracker",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
}


def label(status: str) -> str:
    return status.replace("_", " ")


def stacked_status_chart(response: dict[str, int], implementation: dict[str, int]) -> str:
    """Two horizontal stacked bars (response, implementation) of one review's recommendations; SVG text."""
    import matplotlib

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    total = max(sum(response.values()), sum(implementation.values()), 1)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.0, 1.9))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.19, 0.47, 0.78, 0.5))
        handles = []
        for y, (counts, order) in enumerate(((implementation, IMPLEMENTATION), (response, RESPONSE))):
            left = 0
            for status in order:
                n = counts.get(status, 0)
                if not n:
                    continue
                ax.barh(y, n, left=left, height=0.62, color=COLOURS[status], edgecolor="white", linewidth=0.8)
                ax.text(left + n / 2, y, str(n), ha="center", va="center", fontsize=9,
                        color="white" if status in DARK else "#212b32")
                left += n
        for status in RESPONSE + IMPLEMENTATION:
            if (status in RESPONSE and response.get(status)) or (status in IMPLEMENTATION and implementation.get(status)):
                if label(status) not in {h.get_label() for h in handles}:
                    handles.append(Patch(facecolor=COLOURS[status], label=label(status)))
        ax.set_yticks([0, 1], ["Implementation", "Response"])
        ax.set_xlim(0, total)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", labelsize=8)
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False, fontsize=8.5,
                   handlelength=1, columnspacing=1.2, bbox_to_anchor=(0.55, -0.03))
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches=None)
    return _inline(buf.getvalue())


def _inline(svg: str) -> str:
    """Strip the XML prolog and DOCTYPE so the SVG can sit inside HTML; make it scale with the page."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', svg, count=1)
    return svg.replace("<svg ", '<svg role="img" class="chart" ', 1)
