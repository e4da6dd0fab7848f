"""site/methodology.html: how to read the briefing. What each status means (tracker/vocabulary.py), whose word
counts as official (the speaker kinds and the publishers the code knows, tracker/speakers.py), how statements
are found (the bases of tracker/extract/basis.py and the TRACKER_MIN_CONFIDENCE in force), what the analyst
queue is, and how accurate the rules measured (publish/accuracy.toml). Every status badge on the site links to
its anchor here (markup.status_anchor), so nothing on this page is written twice."""

from __future__ import annotations

from tracker.corrections import COLUMNS as CORRECTION_COLUMNS
from tracker.extract.basis import BASES, MAX_WITHOUT_PROOF
from tracker.publish.accuracy import Accuracy
from tracker.publish.site.context import Context
from tracker.publish.site.markup import METHODOLOGY, badge, e, footer, long_day, page, status_anchor
from tracker.speakers import HOSTS, ORGANISATIONS
from tracker.vocabulary import AXES, SPEAKER_LABELS, SPEAKER_STANCE, STATUSES

AXIS_MEANINGS = {"response": "Response: what was decided", "implementation": "Implementation: what has happened"}
STANCE_WORDS = {
    "official": "official: settles the response",
    "reported": "official, reported: counts only where the owner's own words are missing",
    "independent": "independent: an assessment beside the official position",
}


def _statuses(ctx: Context) -> str:
    parts = ["<section id='statuses' aria-labelledby='statuses-title'><h2 id='statuses-title'>What each status "
             "means</h2><p>Every recommendation has a status on two axes, each resting on a verbatim quote.</p>"]
    for axis in AXES:
        rows = "".join(
            f"<tr id='{e(status_anchor(s.name))}'><th scope='row'>{badge(s.name, axis, ctx.root)}</th>"
            f"<td>{e(s.meaning)}"
            + (" <em>(what a recommendation shows when nothing has been said)</em>" if s.default else "")
            + "</td></tr>"
            for s in STATUSES if s.axis == axis
        )
        parts.append(
            f"<h3 id='axis-{e(axis)}'>{e(AXIS_MEANINGS[axis])}</h3>"
            f"<div class='scroll' tabindex='0' role='region' aria-label='{e(AXIS_MEANINGS[axis])} (table)'>"
            f"<table class='glossary' data-axis='{e(axis)}'><thead><tr><th scope='col'>Status</th>"
            f"<th scope='col'>Meaning</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _publishers(kind: str) -> str:
    hosts: dict[str, list[str]] = {}
    for suffix, publisher in HOSTS:
        if publisher.kind == kind:
            hosts.setdefault(publisher.name, []).append(suffix)
    names = [f"{e(name)} <span class='src'>({e(', '.join(found))})</span>" for name, found in hosts.items()]
    on_govuk = sorted({p.name for p in ORGANISATIONS.values() if p.kind == kind} - set(hosts))
    names += [f"{e(name)} <span class='src'>(on GOV.UK)</span>" for name in on_govuk]
    return "; ".join(names)


def _whose_word(ctx: Context) -> str:
    rows = "".join(
        f"<tr id='speaker-{e(s)}'><th scope='row'>{e(SPEAKER_LABELS[s])}</th><td>{e(STANCE_WORDS[stance])}</td>"
        f"<td>{_publishers(s) or 'any publisher quoting the owning body’s decision'}</td></tr>"
        for s, stance in SPEAKER_STANCE.items()
    )
    return (
        "<section id='whose-word' aria-labelledby='whose-word-title'><h2 id='whose-word-title'>Whose word counts as "
        "official</h2><p>Every statement is tied to who says it, from the publisher's web address (and, on GOV.UK, "
        "the organisations the page lists). For each recommendation and axis there are two positions: the "
        "<strong>official position</strong> (the latest statement in the owning body's or a minister's own words; "
        "only where there is none, the latest report of one) and the <strong>independent assessment</strong> (the "
        "latest statement by anyone else).</p><ul>"
        "<li>The <strong>response</strong> shown is the official position, and the independent assessment only "
        "where no official statement exists: a commentator's \u201caccepted\u201d never outweighs the government's "
        "\u201crejected\u201d.</li>"
        "<li>The <strong>implementation</strong> status shown is whichever position was published later (on the "
        "same day, the official one): what has happened is reported by commentators and regulators as much as by "
        "its owners.</li>"
        "<li id='disputed'><strong>Disputed</strong> marks a status where a statement outside the official position, "
        "published on or after it, gives another status; the recommendation's page shows both quotes.</li>"
        "<li id='stale-rule'><strong>No statement since \u2026</strong> flags a status whose latest statement is "
        "more than 12 months older than the version; \u201cnot heard of for 12 months\u201d counts those "
        "recommendations.</li></ul>"
        "<div class='scroll' tabindex='0' role='region' aria-label='Who speaks (table)'>"
        "<table id='speakers'><thead><tr><th scope='col'>Who speaks</th><th scope='col'>Counts as</th>"
        f"<th scope='col'>Publishers (web addresses)</th></tr></thead><tbody>{rows}</tbody></table></div>"
        "<p class='meta'>Any other publisher is independent commentary.</p></section>"
    )


def _finding(min_confidence: float) -> str:
    rows = "".join(
        f"<tr id='basis-{e(b.name)}'><th scope='row'><code>{e(b.name)}</code></th><td>{e(b.meaning)}</td>"
        f"<td class='n'>{b.confidence:.2f}</td><td>{'yes' if b.proof else 'no'}</td>"
        f"<td>{'published' if b.confidence >= min_confidence else 'left to an analyst'}</td></tr>"
        for b in BASES.values()
    )
    return (
        "<section id='finding' aria-labelledby='finding-title'><h2 id='finding-title'>How statements are found"
        "</h2><p>The tracker captures each publication (an exact copy is kept and linked beside every quote), "
        "reads only the publisher's own words (never reader comments, quotations of other people or web-archive "
        "banners) and looks for sentences that give a status to a tracked review's recommendations. Each statement "
        "records how it was tied to its recommendations (its <em>basis</em>); each basis has a confidence, the "
        "precision it measured on the labelled sets the rules were built on.</p>"
        f"<p id='threshold'>A statement is published only when its basis's confidence is at least "
        f"<strong>{min_confidence:.2f}</strong> (the threshold in force for this version); below it, it waits for "
        f"an analyst. A statement that gives one status to more than {MAX_WITHOUT_PROOF} recommendations is "
        "published only on a basis that proves which ones (numbers, a list, \u201call seven\u201d, \u201cthe "
        "rest\u201d).</p>"
        "<div class='scroll' tabindex='0' role='region' aria-label='How a statement names its recommendations "
        "(table)'><table id='bases'><thead><tr><th scope='col'>Basis</th><th scope='col'>The statement names the "
        "recommendation by</th><th scope='col'>Confidence</th><th scope='col'>May name more than "
        f"{MAX_WITHOUT_PROOF}</th><th scope='col'>At this threshold</th></tr></thead><tbody>{rows}</tbody></table>"
        "</div></section>"
    )


def _queue(ctx: Context) -> str:
    columns = ", ".join(CORRECTION_COLUMNS)
    return (
        "<section id='analyst-queue' aria-labelledby='queue-title'><h2 id='queue-title'>The analyst queue</h2>"
        "<p>Some statements name a review and a status but not, or not surely enough, which recommendations: "
        "\u201ctwo of the proposals\u201d, a count that disagrees with the review, a list that matches nothing, a "
        "basis below the threshold. They are never guessed at and never counted; the briefing lists them under "
        f"<a href='{e(ctx.root)}index.html#unresolved'>Statements awaiting an analyst</a>.</p>"
        "<p id='corrections'>An analyst settles one, or corrects any status, with a row in a corrections file "
        f"(CSV columns <code>{e(columns)}</code>): a status with the verbatim quote and its source, "
        "<code>reject</code> to remove a wrong statement, or a recommendation the rules missed. Corrections are "
        "read on every run. <em>Report an error</em> beside a status on a recommendation's page gives that row "
        "ready to fill in.</p></section>"
    )


def _accuracy(accuracy: Accuracy, min_confidence: float) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{e(s.name)}</th><td class='n'>{s.labelled}</td><td class='n'>{s.recall:.3f}</td>"
        f"<td class='n'>{s.precision:.3f}</td><td class='n'>{s.queued} ({s.queued_should_settle})</td>"
        f"<td class='n'>{s.empty_pages_with_evidence} of {s.empty_pages}</td></tr>"
        for s in accuracy.sets
    )
    differs = "" if accuracy.threshold == min_confidence else (
        f" This version was made at a threshold of {min_confidence:.2f}, so these scores describe it only roughly.")
    return (
        "<section id='accuracy' aria-labelledby='accuracy-title'><h2 id='accuracy-title'>How accurate it is</h2>"
        "<p>The rules are scored against statements people labelled by hand: sets the rules were tuned on, sets "
        "written by people who had not read them, and real public pages. <em>Precision</em> is the share of "
        "published statuses the labels agree with (a wrong status published as fact is the worse error); "
        "<em>recall</em> the share of labelled statements found.</p>"
        f"<p id='measured'>Measured on {e(long_day(accuracy.measured_on))} at commit "
        f"<code>{e(accuracy.commit)}</code>, threshold {accuracy.threshold:.2f}.{e(differs)}</p>"
        "<div class='scroll' tabindex='0' role='region' aria-label='Measured accuracy (table)'>"
        "<table id='accuracy-scores'><thead><tr><th scope='col'>Labelled set</th><th scope='col'>Statements</th>"
        "<th scope='col'>Recall</th><th scope='col'>Precision</th><th scope='col'>Left to an analyst (of which "
        "the rules should have settled)</th><th scope='col'>Pages that must yield nothing that did</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div></section>"
    )


def methodology_page(ctx: Context, min_confidence: float, accuracy: Accuracy) -> str:
    body = (
        "<header><h1>How to read the briefing</h1>" + ctx.as_at
        + "<p class='meta'>What the statuses mean, whose word settles them, how statements are found and how "
        "accurate that is.</p></header>"
        + _statuses(ctx) + _whose_word(ctx) + _finding(min_confidence) + _queue(ctx)
        + _accuracy(accuracy, min_confidence) + footer(ctx.root)
    )
    return page("How to read the briefing \u2014 NHS leadership reviews", body, current=METHODOLOGY)
