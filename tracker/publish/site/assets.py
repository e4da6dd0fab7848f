"""The briefing's one stylesheet and one script, inlined into every page (no file is loaded from anywhere).

The badge colours are written from tracker.vocabulary.STATUSES, so a status has one colour everywhere, and the
hatched statuses are hatched here too (colour-blind readers tell them from their neighbours).
"""

from __future__ import annotations

from tracker.publish.charts import STYLE as CHART_STYLE
from tracker.publish.charts import text_on
from tracker.vocabulary import STATUSES

HATCH_ALPHA = 0.3  # the hatching's opacity: dark lines under white text, light lines under black text


def hatch(colour: str) -> str:
    """Diagonal lines in the colour that raises the label's contrast (tests check it stays >= 4.5:1)."""
    line = "0,0,0" if text_on(colour) == "#ffffff" else "255,255,255"
    return (f"background-image:repeating-linear-gradient(135deg,transparent 0 4px,"
            f"rgba({line},{HATCH_ALPHA}) 4px 7px)")


_BADGES = "".join(f".s-{s.name}{{background:{s.colour};color:{text_on(s.colour)}"
                  f"{';' + hatch(s.colour) if s.hatched else ''}}}" for s in STATUSES)

STYLE = """
:root{--blue:#005eb8;--text:#212b32;--grey:#4c6272;--line:#d8dde0;--pale:#f0f4f5}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0 auto;max-width:80rem;color:var(--text);\
padding:0 1.25rem 3rem;line-height:1.4;overflow-wrap:break-word}
a{color:#004b93}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:.6rem 0;font-size:.9rem}
header{border-bottom:4px solid var(--blue);margin-bottom:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;\
border-bottom:2px solid var(--blue);padding-bottom:.2rem}
h3{font-size:1.05rem;margin:.2rem 0}
.meta{color:var(--grey);font-size:.9rem;margin:.2rem 0 .8rem}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
.scroll:focus{outline:2px solid var(--blue)}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border:1px solid var(--line);padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:var(--pale)}
th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
th button::after{content:" \\2195";color:var(--grey)}
th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th[scope=row]{min-width:12rem}
tr[hidden]{display:none}
#recommendations{min-width:56rem}
#recommendations td.key{white-space:nowrap}
@media (max-width:37.5em){
 #recommendations,#recommendations thead,#recommendations tbody{display:block;min-width:0}
 #recommendations thead tr{display:flex;flex-wrap:wrap;gap:.2rem .9rem;align-items:baseline;margin-bottom:.5rem}
 #recommendations thead tr::before{content:"Sort by";font-size:.82rem;font-weight:600}
 #recommendations thead th{border:0;background:none;padding:.2rem 0}
 #recommendations thead th:not(:has(button)){display:none}
 #recommendations tbody tr{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:0 .6rem;\
border:1px solid var(--line);border-radius:.4rem;margin:0 0 .8rem;padding:.3rem .6rem}
 #recommendations tbody tr[hidden]{display:none}
 #recommendations td{display:block;border:0;padding:.25rem 0;text-align:left}
 #recommendations td.key{grid-area:1/1;white-space:normal;font-weight:600}
 #recommendations td.n{grid-area:1/2;font-weight:600}
 #recommendations td.n::before{content:"No. "}
 #recommendations td.response{grid-area:2/1/3/3}
 #recommendations td.implementation{grid-area:3/1/4/3}
 #recommendations td.text{grid-area:4/1/5/3}
 #recommendations td.last{grid-area:5/1/6/3;font-weight:400;color:var(--grey);font-size:.82rem}
 #recommendations td.response::before,#recommendations td.implementation::before,\
#recommendations td.text::before{content:attr(data-label);display:block;font-size:.75rem;font-weight:700;\
color:var(--grey)}
 #recommendations td.last::before{content:attr(data-label) ": "}
}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.7rem;font-size:.78rem;\
white-space:nowrap;font-weight:600}
""" + _BADGES + CHART_STYLE + """
.q{color:var(--grey);font-size:.82rem;margin:.25rem 0 0}
.q blockquote{margin:0;font-style:italic;color:var(--text)}
.q .who{font-weight:600;font-size:.75rem;text-transform:uppercase;letter-spacing:.02em}
.q + .q{border-top:1px dashed var(--line);padding-top:.25rem}
cite{font-style:normal}
blockquote{margin:.4rem 0 .4rem 1rem}
blockquote.rec{font-size:1.1rem;border-left:4px solid var(--blue);padding:.2rem .8rem;margin:1rem 0}
.disputed{display:inline-block;margin-left:.3rem;padding:0 .4rem;border:1px solid #a00;\
border-radius:.6rem;color:#a00;font-size:.72rem;font-weight:600}
.quiet{display:inline-block;margin-left:.3rem;padding:0 .4rem;border:1px dashed #5a5a5a;\
border-radius:.6rem;color:#3d3d3d;font-size:.72rem;font-weight:600}
.as-at{font-weight:600;margin:.2rem 0}
.src{font-size:.78rem}
.permalink{font-size:.78rem;font-family:ui-monospace,monospace}
.warn{color:#a00;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(30rem,100%),1fr));gap:1rem;margin-top:1rem}
.card{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .8rem;margin:0}
.card p{margin:.2rem 0;font-size:.88rem}
.controls{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0;\
background:var(--pale);padding:.6rem .8rem;border-radius:.4rem}
.controls label{display:flex;flex-direction:column;font-size:.82rem;font-weight:600;gap:.2rem;max-width:100%}
.controls input,.controls select{font:inherit;padding:.3rem .4rem;min-width:min(14rem,100%);max-width:100%}
.controls button,.actions button{font:inherit;padding:.3rem .7rem}
.presets{font-size:.88rem;margin:.3rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.4rem 0}
.actions input{font:inherit;font-size:.8rem;width:min(36rem,100%)}
#count{font-weight:600;margin:.4rem 0}
.changes ul{margin:.3rem 0 .6rem;padding-left:1.2rem;font-size:.88rem}
.changes details{margin:.3rem 0}
.changes summary{cursor:pointer;font-weight:600}
#source-health{border-left:6px solid #a00;background:#fdecea;padding:.2rem .8rem;margin-top:1rem}
.headline{font-size:1.05rem;font-weight:600;background:#fff9c4;border-left:6px solid #ffb81c;padding:.5rem .8rem}
details.history{font-size:.78rem;color:var(--grey)}
ol.timeline{list-style:none;padding:0;margin:.5rem 0;border-left:3px solid var(--line)}
ol.timeline li{position:relative;margin:0 0 .9rem;padding-left:1rem}
ol.timeline li::before{content:"";position:absolute;left:-.45rem;top:.35rem;\
width:.6rem;height:.6rem;border-radius:50%;background:var(--grey)}
ol.timeline time{font-weight:700;font-variant-numeric:tabular-nums}
.positions{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(22rem,100%),1fr));gap:1rem}
.position{border:1px solid var(--line);border-radius:.4rem;padding:.5rem .8rem}
.downloads li{margin:.2rem 0}
footer{margin-top:2rem;font-size:.8rem;color:var(--grey)}
a.badge{text-decoration:none}a.badge:hover,a.badge:focus{text-decoration:underline}
a.disputed{text-decoration:none}
table.glossary th[scope=row]{min-width:0;width:14rem}
.trend-card{margin:1rem 0}
td.trend{min-width:9rem}
.legend{font-size:.85rem;margin:.5rem 0}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.report-error{display:block;font-size:.78rem;margin:.2rem 0}
@page{size:A4;margin:14mm}
.print-only{display:none}
@media print{
 nav,.skip,.controls,.actions,.presets,th button::after,.report-error{display:none}
 .print-only{display:block}
 #print-note{border:1px solid var(--grey);padding:.3rem .6rem;font-size:9pt}
 #all,#stale,#unresolved,#downloads,#feeds,#progress-link,.changes details.recent{display:none}
 .cards{grid-template-columns:1fr 1fr;gap:.5rem;margin-top:.5rem}
 .card{padding:.3rem .5rem}
 .card p,.card figcaption{font-size:8pt}
 .chart{margin:.2rem 0}
 .share-chart .chart-row{margin:.15rem 0}
 body{max-width:none;padding:0;font-size:10pt}
 .scroll{overflow:visible}
 #recommendations{min-width:0}
 tr,.card,.q,.position,ol.timeline li,figure{break-inside:avoid;page-break-inside:avoid}
 thead{display:table-header-group}
 h2,h3{break-after:avoid}
 details{display:block}details>*{display:block}
 a[href^="http"]::after{content:" <" attr(href) ">";font-size:7.5pt;\
color:var(--grey);overflow-wrap:anywhere;word-break:break-all}
 th[scope=row]{min-width:0}
 #progress,#summary-progress{font-size:8pt}
 #progress th,#progress td,#summary-progress th,#summary-progress td{padding:.1rem .25rem}
 #progress thead th,#summary-progress thead th{width:1%;overflow-wrap:normal;hyphens:manual;font-size:7pt}
 #progress thead th:first-child,#summary-progress thead th:first-child{width:auto}
 #progress .src,#summary-progress .src{font-size:7pt;font-weight:400}
 #key-figures{font-size:8pt}
 #key-figures th,#key-figures td{padding:.05rem .4rem}
 #key-figures .src{font-size:7pt;font-weight:400}
 .summary h2{margin:.5rem 0 .2rem}
 .summary header p.meta:last-child,.summary #key-figures thead .src{display:none}
 .page-break{break-before:page}
}
"""

# The briefing's filters, sorting, URL state and "download this view". Scraped text never reaches it:
# it reads the rows' data- attributes and text, which the page escaped.
SCRIPT = """
(function () {
  function byId(id) { return document.getElementById(id); }
  var table = byId('recommendations');
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = byId('search'), count = byId('count'), empty = byId('no-match'), share = byId('view-link');
  var filters = [
    {param: 'review', el: byId('filter-review'), attr: 'data-review'},
    {param: 'response', el: byId('filter-response'), attr: 'data-response', official: 'data-official-response'},
    {param: 'implementation', el: byId('filter-implementation'), attr: 'data-implementation',
     official: 'data-official-implementation'}
  ];
  // "Official positions only": the filters read each row's official statuses instead of its headline ones
  var basis = byId('filter-basis');
  function attr(f) { return f.official && basis.value === 'official' ? f.official : f.attr; }
  var GROUPS = JSON.parse(table.getAttribute('data-groups'));
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var sortKey = '', sortDir = 'ascending';

  function matches(value, want) {
    if (!want) { return true; }
    var group = GROUPS[want];
    return group ? group.indexOf(value) !== -1 : value === want;
  }
  function terms() { return search.value.toLowerCase().split(/\\s+/).filter(function (t) { return t; }); }
  function passes(i, skip, words) {
    var row = rows[i];
    for (var f = 0; f < filters.length; f++) {
      if (filters[f] !== skip && !matches(row.getAttribute(attr(filters[f])), filters[f].el.value)) { return false; }
    }
    return words.every(function (t) { return texts[i].indexOf(t) !== -1; });
  }
  function recount(words) {
    filters.forEach(function (f) {
      Array.prototype.forEach.call(f.el.options, function (opt) {
        if (!opt.value) { return; }
        var n = 0;
        rows.forEach(function (row, i) {
          if (passes(i, f, words) && matches(row.getAttribute(attr(f)), opt.value)) { n += 1; }
        });
        opt.textContent = opt.getAttribute('data-label') + ' (' + n + ')';
      });
    });
  }
  function state() {
    var p = new URLSearchParams();
    filters.forEach(function (f) { if (f.el.value) { p.set(f.param, f.el.value); } });
    if (basis.value) { p.set('basis', basis.value); }
    if (search.value) { p.set('q', search.value); }
    if (sortKey) { p.set('sort', sortKey); p.set('dir', sortDir === 'descending' ? 'desc' : 'asc'); }
    return p.toString();
  }
  // TRACKER_SITE_URL, when set: the address to share is the served site's, never this copy's file:// path
  var siteUrl = table.getAttribute('data-site-url') || '';
  var asAt = (byId('as-at') || {textContent: ''}).textContent.trim();
  function shared(s) {
    return (siteUrl ? siteUrl + 'index.html' : location.href.split('#')[0]) + (s ? '#' + s : '');
  }
  byId('print-url').textContent = shared('');
  function remember() {
    var s = state();
    var url = location.href.split('#')[0] + (s ? '#' + s : '');
    try { history.replaceState(null, '', url); } catch (err) { if (s) { location.hash = s; } }
    share.value = shared(s);
  }
  function apply() {
    var words = terms(), shown = 0;
    rows.forEach(function (row, i) {
      var ok = passes(i, null, words);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    recount(words);
    count.textContent = 'Showing ' + shown + ' of ' + rows.length + ' recommendations';
    empty.hidden = shown !== 0;
  }
  function sortRows() {
    var ordered = rows.slice();
    if (sortKey) {
      var sign = sortDir === 'descending' ? -1 : 1;
      ordered.sort(function (a, b) {
        var x = a.getAttribute('data-sort-' + sortKey), y = b.getAttribute('data-sort-' + sortKey);
        var nx = Number(x), ny = Number(y), c;
        if (x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny)) { c = nx - ny; } \
else { c = x < y ? -1 : (x > y ? 1 : 0); }
        if (c === 0) { c = Number(a.getAttribute('data-sort-review')) - \
Number(b.getAttribute('data-sort-review')); return c; }
        return sign * c;
      });
    }
    ordered.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var button = th.querySelector('button');
      if (button && button.getAttribute('data-sort') === sortKey) { th.setAttribute('aria-sort', sortDir); }
      else { th.removeAttribute('aria-sort'); }
    });
  }
  function restore() {
    var hash = location.hash.replace(/^#/, '');
    if (hash.indexOf('=') === -1) { share.value = shared(''); return false; }
    var p = new URLSearchParams(hash);
    filters.forEach(function (f) {
      var v = p.get(f.param) || '';
      f.el.value = Array.prototype.some.call(f.el.options, function (o) { return o.value === v; }) ? v : '';
    });
    basis.value = p.get('basis') === 'official' ? 'official' : '';
    search.value = p.get('q') || '';
    var key = p.get('sort') || '';
    sortKey = table.querySelector('th button[data-sort="' + key.replace(/[^a-z]/g, '') + '"]') ? key : '';
    sortDir = p.get('dir') === 'desc' ? 'descending' : 'ascending';
    sortRows();
    apply();
    share.value = shared(hash);
    return true;
  }
  function changed() { apply(); remember(); }
  search.addEventListener('input', changed);
  filters.forEach(function (f) { f.el.addEventListener('change', changed); });
  basis.addEventListener('change', changed);
  byId('reset').addEventListener('click', function () {
    search.value = '';
    filters.forEach(function (f) { f.el.value = ''; });
    basis.value = '';
    sortKey = '';
    sortRows();
    changed();
  });
  Array.prototype.forEach.call(table.querySelectorAll('th button[data-sort]'), function (button) {
    button.addEventListener('click', function () {
      var key = button.getAttribute('data-sort');
      sortDir = (key === sortKey && sortDir === 'ascending') ? 'descending' : 'ascending';
      sortKey = key;
      sortRows();
      remember();
    });
  });
  byId('copy-view').addEventListener('click', function () {
    share.focus();
    share.select();
    var done = function () { byId('copy-status').textContent = 'Link copied.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(share.value).then(done, function () { document.execCommand('copy'); done(); });
    } else { document.execCommand('copy'); done(); }
  });
  function csvCell(text) {
    text = String(text);
    if (/^[=+\\-@\\t\\r]/.test(text)) { text = "'" + text; }
    return '"' + text.replace(/"/g, '""') + '"';
  }
  byId('download-view').addEventListener('click', function () {
    var columns = ['review_id', 'review', 'number', 'recommendation', 'response_status', 'implementation_status',
      'last_statement_on', 'page'];
    var said = ['cited_as', 'quote', 'said_on'];
    ['response', 'implementation'].forEach(function (axis) {
      said.forEach(function (c) { columns.push(axis + '_' + c); });
    });
    columns.push('as_at');
    var lines = [columns.join(',')];
    Array.prototype.forEach.call(body.rows, function (row) {
      if (row.hidden) { return; }
      var cells = [row.getAttribute('data-review'), row.querySelector('.review-name').textContent,
        row.getAttribute('data-number'), row.querySelector('.rec-text').textContent,
        row.getAttribute('data-response'), row.getAttribute('data-implementation'),
        row.getAttribute('data-sort-last'), row.getAttribute('data-page')];
      ['response', 'implementation'].forEach(function (axis) {
        ['cited-as', 'quote', 'said-on'].forEach(function (c) {
          cells.push(row.getAttribute('data-' + axis + '-' + c));
        });
      });
      cells.push(asAt);
      lines.push(cells.map(csvCell).join(','));
    });
    var blob = new Blob(['\\ufeff' + lines.join('\\r\\n') + '\\r\\n'], {type: 'text/csv;charset=utf-8'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'recommendations-this-view.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });
  window.addEventListener('hashchange', restore);
  if (!restore()) { apply(); }
})();
"""
