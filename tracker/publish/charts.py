"""Charts for the briefing, drawn as HTML bars sized by percentage and styled by STYLE (part of the one
stylesheet, site/assets.py), so their text is the page's text: at least 12 px at any width, searchable,
and the same for the same data.

Each chart has an accessible name (role="img", aria-label) that says what it shows in words, and a legend.
A stacked segment carries its count, and its status too where the segment is wide enough for the words:
each segment is a CSS container, and a container query shows the words (or, on a sliver, hides even the
count) from the width the text needs, which the page's width decides, not this code.

The palette is colour-blind safe: Okabe–Ito hues, one hue family per axis (response: blues and
purples; implementation: greens, oranges and browns; greys for "nothing said"), a distinct colour
per status, every colour at least 3:1 against the white page, and each segment's text at 4.5:1 on it.
"""

from __future__ import annotations

from html import escape

from tracker.vocabulary import IMPLEMENTATION_STATUSES as IMPLEMENTATION
from tracker.vocabulary import RESPONSE_STATUSES as RESPONSE
from tracker.vocabulary import phrase

PAGE = "#ffffff"
INK = "#000000"

# The widths (in ch of the segment's own text) a segment's words may need; each label asks for the
# first one that holds it, and its container query shows the words from there.
_FITS = (6, 9, 12, 15, 18, 22, 26, 30)


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


def _e(value) -> str:
    return escape(str(value), quote=True)


def _width(n: float, total: float) -> str:
    return f"{100 * n / total:.2f}".rstrip("0").rstrip(".") + "%"


def scale_bar(pct: float, status: str) -> str:
    """A bar on the 0-100 % scale filled to pct in the status's colour; the number beside it says it in text."""
    return f"<span class='bar' aria-hidden='true'><span class='fill s-{_e(status)}' style='width:{pct}%'></span></span>"


def _segment(status: str, n: int, total: int) -> str:
    words = f"{n} {phrase(status)}"
    fit = next((f for f in _FITS if f >= len(words) + 1), _FITS[-1])
    return (f"<span class='seg s-{_e(status)} fit-{fit} digits-{len(str(n))}' style='width:{_width(n, total)}'>"
            f"<span class='seg-n'>{n}</span><span class='seg-word'> {_e(phrase(status))}</span></span>")


def _stack(axis: str, counts: dict[str, int], order: tuple[str, ...], total: int) -> str:
    segments = "".join(_segment(s, counts[s], total) for s in order if counts.get(s))
    return f"<div class='chart-row'><span class='chart-axis'>{axis}</span><span class='stack'>{segments}</span></div>"


def _legend(keys: list[tuple[str, str]]) -> str:
    """(class of the swatch, words) per key."""
    return "<ul class='chart-legend'>" + "".join(
        f"<li><span class='swatch {_e(cls)}'></span>{_e(words)}</li>" for cls, words in keys) + "</ul>"


def _named(chart_id: str, kind: str, name: str, inner: str) -> str:
    return f"<div class='chart {kind}' id='{_e(chart_id)}' role='img' aria-label='{_e(name)}'>{inner}</div>"


def stacked_status_chart(response: dict[str, int], implementation: dict[str, int], *, chart_id: str = "chart",
                         name: str = "") -> str:
    """Two stacked bars (response, implementation) of one review's recommendations on one scale, as HTML."""
    total = max(sum(response.values()), sum(implementation.values()), 1)
    shown = [s for s in RESPONSE if response.get(s)] + [s for s in IMPLEMENTATION if implementation.get(s)]
    described = "; ".join(
        f"{axis}: " + ", ".join(f"{n} {phrase(s)}" for s, n in counts.items() if n)
        for axis, counts in (("response", response), ("implementation", implementation))
    )
    inner = (_stack("Response", response, RESPONSE, total)
             + _stack("Implementation", implementation, IMPLEMENTATION, total)
             # the legend carries each count too: a segment too narrow for its number is labelled there
             + _legend([(f"s-{s}", f"{phrase(s)} ({response.get(s) or implementation.get(s)})") for s in shown]))
    return _named(chart_id, "stacked", f"{name + ': ' if name else ''}recommendations by status. {described}.", inner)


def implemented_share_chart(reviews: list[tuple[str, float | None, int, int]], *,
                            chart_id: str = "implemented-share") -> str:
    """One bar per review: the share of its recommendations implemented, all on one 0–100 % scale.

    reviews: (name, % implemented as briefing_figures gives it, implemented, recommendations), in display order."""
    rows, parts = [], []
    for name, pct, done, total in reviews:
        words = f"{pct}% ({done} of {total})" if total and pct is not None else "no recommendations found"
        bar = scale_bar(0 if pct is None else pct, "implemented")
        rows.append(f"<div class='chart-row'><span class='chart-axis'>{_e(name)}</span>{bar}"
                    f"<span class='chart-value'>{_e(words)}</span></div>")
        parts.append(f"{name} {words}")
    name = "Share of recommendations implemented, by review, on one scale: " + "; ".join(parts) + "."
    legend = _legend([("s-implemented", "implemented"), ("whole", "the whole review (100%)")])
    return _named(chart_id, "share-chart", name, "".join(rows) + legend)


_SEGMENT_WORDS = "".join(f"@container (min-width:{f}ch){{.fit-{f} .seg-word{{display:inline}}}}" for f in _FITS)
_SLIVERS = "".join(f"@container (max-width:{d + .4}ch){{.digits-{d} .seg-n{{visibility:hidden}}}}" for d in (1, 2, 3))

# The charts' rules in the one stylesheet. Text stays at 0.8rem (12.8 px) at every width; on a narrow
# screen a bar's name sits above it rather than beside it. Printed, the colours print (browsers drop
# backgrounds by default, which would leave white text on white paper).
STYLE = """
.chart{font-size:.8rem;margin:.4rem 0}
.chart-row{display:grid;grid-template-columns:minmax(6rem,14rem) minmax(0,1fr);gap:.15rem .6rem;align-items:center;\
margin:.3rem 0}
.share-chart .chart-row{grid-template-columns:minmax(6rem,14rem) minmax(0,1fr) minmax(7.5rem,auto)}
.stacked .chart-row{grid-template-columns:7.5rem minmax(0,1fr)}
.chart-axis{font-weight:600;overflow-wrap:anywhere}
.stack{display:flex;min-height:1.9em;border:1px solid var(--grey)}
.seg{container-type:inline-size;display:block;text-align:center;line-height:1.9em;overflow:hidden;\
white-space:nowrap;font-weight:600;box-shadow:inset -1px 0 #fff}
.seg:last-child{box-shadow:none}
.seg-word{display:none}
.chart .bar{height:1.9em;margin:0}
.chart-value{font-variant-numeric:tabular-nums}
.chart-legend{list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:.5rem 0 0;padding:0}
.chart-legend .swatch{margin:0 .3rem 0 0}
.bar{display:block;height:.6rem;background:#fff;border:1px solid var(--grey);margin-top:.2rem}
.bar .fill{display:block;height:100%}
.swatch{display:inline-block;width:1rem;height:.7rem;border:1px solid var(--grey);vertical-align:middle;\
margin:0 .2rem 0 .6rem}
.swatch.whole{background:#fff}
@media (max-width:37.5em){
 .chart-row,.share-chart .chart-row,.stacked .chart-row{grid-template-columns:minmax(0,1fr) auto}
 .chart-axis{grid-column:1/-1}
 .stacked .stack{grid-column:1/-1}
}
.seg,.bar,.fill,.swatch,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
""" + _SEGMENT_WORDS + _SLIVERS
