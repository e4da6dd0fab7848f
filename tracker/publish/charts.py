"""Charts for the briefing, drawn with matplotlib (Agg, no pyplot state) and inlined as SVG.

The SVG is deterministic for the same data: a fixed hash salt for element ids, no date metadata,
and text kept as <text> elements (svg.fonttype none) so the page stays small and searchable. Each
chart's element ids carry a prefix of its own, so several charts on one page never share an id, and
each has an accessible name (role="img", aria-label) that says what it shows in words.

The palette is colour-blind safe: Okabe–Ito hues, one hue family per axis (response: blues and
purples; implementation: greens, oranges and browns; greys for "nothing said"), a distinct colour
per status, every colour at least 3:1 against the white page, and each segment labelled directly
with text that reads at 4.5:1 on it.

The share chart appears on the briefing and on the summary: it is drawn once for the same data and only
its ids differ, as matplotlib is most of the cost of rendering the pages.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from tracker.vocabulary import COLOURS
from tracker.vocabulary import IMPLEMENTATION_STATUSES as IMPLEMENTATION
from tracker.vocabulary import RESPONSE_STATUSES as RESPONSE
from tracker.vocabulary import phrase

PAGE = "#ffffff"
INK = "#000000"

_RC = {
    "svg.hashsalt": "nhs-leadership-tracker",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
}


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(colour: str) -> str:
    """White or black, whichever reads better on the colour."""
    return "#ffffff" if contrast(colour, "#ffffff") >= contrast(colour, INK) else INK


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def stacked_status_chart(response: dict[str, int], implementation: dict[str, int], *, chart_id: str = "chart",
                         name: str = "") -> str:
    """Two horizontal stacked bars (response, implementation) of one review's recommendations; SVG text.

    Each segment carries its count, and its status too where the segment is wide enough."""
    import matplotlib
    from matplotlib.patches import Patch

    total = max(sum(response.values()), sum(implementation.values()), 1)
    with matplotlib.rc_context(_RC):
        fig = _figure(6.0, 1.9)
        ax = fig.add_axes((0.19, 0.47, 0.78, 0.5))
        handles = []
        for y, (counts, order) in enumerate(((implementation, IMPLEMENTATION), (response, RESPONSE))):
            left = 0
            for status in order:
                n = counts.get(status, 0)
                if not n:
                    continue
                ax.barh(y, n, left=left, height=0.62, color=COLOURS[status], edgecolor=PAGE, linewidth=0.8)
                text = f"{n} {phrase(status)}" if n / total >= 0.07 * (len(phrase(status)) / 4 + 1) else str(n)
                ax.text(left + n / 2, y, text, ha="center", va="center", fontsize=8.5, color=text_on(COLOURS[status]))
                left += n
        for status in RESPONSE + IMPLEMENTATION:
            if ((status in RESPONSE and response.get(status))
                    or (status in IMPLEMENTATION and implementation.get(status))):
                handles.append(Patch(facecolor=COLOURS[status], label=phrase(status)))
        ax.set_yticks([0, 1], ["Implementation", "Response"])
        ax.set_xlim(0, total)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", labelsize=8)
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False, fontsize=8.5,
                   handlelength=1, columnspacing=1.2, bbox_to_anchor=(0.55, -0.03))
        described = "; ".join(
            f"{axis}: " + ", ".join(f"{n} {phrase(s)}" for s, n in counts.items() if n)
            for axis, counts in (("response", response), ("implementation", implementation))
        )
        return _svg(fig, chart_id, f"{name + ': ' if name else ''}recommendations by status. {described}.")


def implemented_share_chart(reviews: list[tuple[str, int, int]], *, chart_id: str = "implemented-share") -> str:
    """One bar per review: the share of its recommendations implemented, all on one 0–100 % scale.

    reviews: (name, implemented, recommendations), in display order."""
    svg, name = _share_svg(tuple(reviews))
    return _inline(svg, chart_id, name)


@lru_cache(maxsize=4)  # a long-lived worker keeps only the latest few
def _share_svg(reviews: tuple[tuple[str, int, int], ...]) -> tuple[str, str]:
    """The share chart drawn once per data: the briefing and the summary show the same one (ids differ)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        height = 0.32 * max(len(reviews), 1) + 0.5
        fig = _figure(8.0, height)
        ax = fig.add_axes((0.25, 0.4 / height, 0.62, 1 - 0.5 / height))
        names = [name for name, _, _ in reviews][::-1]
        parts = []
        for y, (name, done, total) in enumerate(reversed(reviews)):
            pct = 100.0 * done / total if total else 0.0
            ax.barh(y, 100, height=0.62, color=PAGE, edgecolor=COLOURS["unknown"], linewidth=0.8)
            if pct:
                ax.barh(y, pct, height=0.62, color=COLOURS["implemented"], edgecolor=COLOURS["implemented"],
                        linewidth=0.8)
            words = f"{pct:.0f}% ({done} of {total})" if total else "no recommendations found"
            ax.text(min(pct, 100) + 1.5, y, words, ha="left", va="center", fontsize=8.5, color=INK)
            parts.append(f"{name} {words}")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8)
        name = "Share of recommendations implemented, by review, on one scale: " + "; ".join(reversed(parts)) + "."
        return _raw_svg(fig), name


def _raw_svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches=None)
    return buf.getvalue()


def _svg(fig, chart_id: str, name: str) -> str:
    return _inline(_raw_svg(fig), chart_id, name)


def _inline(svg: str, chart_id: str, name: str) -> str:
    """Strip the XML prolog and DOCTYPE so the SVG can sit inside HTML; scale with the page; give every id
    the chart's prefix; name the image."""
    import html

    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', svg, count=1)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(name, quote=True)}" class="chart" ', 1)
