"""Self-contained HTML bundle: inline CSS, no scripts, no external assets.

Jinja2 autoescapes every value, and the page's Content-Security-Policy
forbids scripts and remote loads, so a quote holding markup stays text.
Quotes are in <blockquote class="quote"> with white-space: pre-wrap, so the
unescaped element text is the verbatim snippet; data-document, data-start and
data-end say where it is in the stored document text.
"""
from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined

from research_hub.export.bundle import where
from research_hub.export.markdown import count, summary_rows

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;max-width:860px;
margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d6dbe3}
.meta{color:#5a6472;font-size:.9rem}.desc{white-space:pre-wrap}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d6dbe3;padding:.25rem .6rem;
text-align:left;vertical-align:top}
.card{border:1px solid #d6dbe3;border-radius:6px;padding:.6rem .9rem;margin:.9rem 0}
blockquote.quote{white-space:pre-wrap;margin:.4rem 0;padding:.4rem .8rem;border-left:4px solid #3d6fd9;
background:#f4f7fc}
blockquote.stale{border-left-color:#c97a00;background:#fff7e8}
td code{word-break:break-all}body{overflow-wrap:anywhere}
.tag{display:inline-block;background:#e8edf6;border-radius:3px;padding:0 .35rem;margin-right:.2rem;
font-size:.8rem}code{font-size:.85rem}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence: {{ f.title }}</title><style>{{ css|safe }}</style></head><body>
{% macro card(q) %}<div class="card" id="q-{{ q.evidence_id }}">
<blockquote class="quote" {% if q.snippet_id %}data-snippet="{{ q.snippet_id }}"{% else %}data-highlight="{{ q.highlight_id }}"{% endif %} data-document="{{ q.document_id }}"
 data-start="{{ q.char_start }}" data-end="{{ q.char_end }}">{{ q.quote }}</blockquote>
<div class="meta"><strong>{{ q.speaker }}</strong> ({{ q.participant }}), {{ q.document }}, {{ where(q) }}
· {{ q.date or "undated" }}{% if q.study %} · study {{ q.study }}{% endif %}</div>
{% if q.question %}<div class="meta">Question answered: {{ q.question }}</div>{% endif %}
<div>{% for t in q.tags %}<span class="tag">{{ t }}</span>{% endfor %}</div>
{% if q.note %}<div class="meta">Note: {{ q.note }}</div>{% endif %}
<div class="meta">{{ q.evidence }} <code>{{ q.evidence_id }}</code> · document <code>{{ q.document_id[:12] }}</code></div>
</div>{% endmacro %}
<h1>Evidence for {{ f.title }}</h1>
<p class="meta">Feature <code>{{ f.id }}</code> · status {{ f.status or "none" }} · generated {{ b.generated_at }}</p>
{% if f.description %}<p class="desc">{{ f.description }}</p>{% endif %}
<h2>Summary</h2>
<table>{% for k, v in summary %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% for g in b.groups %}
<h2>{{ g.theme }}</h2><p class="meta">{{ g.origin }}, {{ count(g.quotes) }}</p>
{% for q in g.quotes %}{{ card(q) }}{% endfor %}{% endfor %}
{% for i in b.insights %}<h2>Insight {{ i.id }}: {{ i.statement }}</h2>
<p class="meta">status {{ i.status }}{% if i.draft %} (draft: a starting point generated from a theme, not a finding or a quote){% endif %}
· strength {{ i.strength.score }}{% for k, v in i.strength.parts.items() %} · {{ k }} {{ v }}{% endfor %}</p>
<p class="meta">{{ i.strength.evidence }} supporting quotes from {{ i.strength.participants }} participants ·
{{ i.strength.counter_evidence }} contradicting from {{ i.strength.counter_participants }} · newest {{ i.strength.newest or "undated" }}
{% if i.strength.stale %} · stale: {{ i.strength.stale_reasons|join("; ") }}{% endif %}</p>
{% if i.supporting %}<p><strong>Supporting</strong></p>{% for q in i.supporting %}{{ card(q) }}{% endfor %}{% endif %}
{% if i.contradicting %}<p><strong>Contradicting</strong></p>{% for q in i.contradicting %}{{ card(q) }}{% endfor %}{% endif %}
{% for r in i.needs_review %}<div class="card"><blockquote class="stale">{{ r.text_as_attached }}</blockquote>
<div class="meta">{{ r.evidence }} <code>{{ r.id }}</code> needs review: {{ r.reason }}</div></div>{% endfor %}
{% endfor %}
{% if b.needs_review %}<h2>Needs review</h2>
<p class="meta">Confirmed links whose quote is no longer in its source; text as it was confirmed.</p>
{% for r in b.needs_review %}<div class="card"><blockquote class="stale">{{ r.text_as_confirmed }}</blockquote>
<div class="meta">{% if r.highlight_id %}highlight <code>{{ r.highlight_id }}</code>{% else %}snippet <code>{{ r.snippet_id }}</code>{% endif %}: {{ r.reason }}</div></div>{% endfor %}{% endif %}
<h2>Sources</h2>
<table><tr><th>document</th><th>stored file</th><th>sha256</th></tr>
{% for d in b.sources %}<tr><td>{{ d.name }}</td><td>{{ d.stored_file }}</td><td><code>{{ d.sha256 or "missing" }}</code></td></tr>{% endfor %}
</table></body></html>
"""

_env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
_template = _env.from_string(TEMPLATE)


def render(bundle: dict[str, Any]) -> bytes:
    page = _template.render(b=bundle, f=bundle["feature"], css=CSS, where=where, count=count,
                            summary=summary_rows(bundle["summary"]))
    return page.encode("utf-8")
