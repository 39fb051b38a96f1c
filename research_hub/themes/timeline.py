"""Theme counts over time and per study, as flat records a chart can plot."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from research_hub.core.errors import InvalidInputError
from research_hub.themes.model import Theme, Themes

PERIODS = ("week", "month")
UNDATED = "undated"


def period_of(iso: str | None, period: str) -> tuple[str, str | None]:
    """(period key, ISO date the period starts) of an ISO date; ('undated', None) without one."""
    if not iso:
        return UNDATED, None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return UNDATED, None
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1).isoformat()
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}", (day - timedelta(days=day.weekday())).isoformat()


def _groups(themes: Themes, include_unthemed: bool) -> list[Theme]:
    return [*themes, themes.unthemed] if include_unthemed and themes.unthemed.size else list(themes)


def over_time(themes: Themes, period: str = "month", include_unthemed: bool = False) -> list[dict]:
    """One record per (theme, period): snippets and distinct participants, oldest first."""
    if period not in PERIODS:
        raise InvalidInputError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    out = []
    for theme in _groups(themes, include_unthemed):
        counts: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        for sid in theme.snippet_ids:
            s = themes.snippets.get(sid)
            if s is not None:
                counts[period_of(s.date, period)].append(s.participant)
        for (key, start), people in counts.items():
            out.append({"theme_id": theme.id, "label": theme.label, "period": key, "start": start,
                        "count": len(people), "participants": len(set(people))})
    return sorted(out, key=lambda r: (r["start"] is None, r["start"] or "", r["label"]))


def by_study(themes: Themes, include_unthemed: bool = False) -> list[dict]:
    """One record per (theme, study): snippets, distinct participants, share of the study."""
    study_total: dict[str, int] = defaultdict(int)
    for s in themes.snippets.values():
        study_total[s.study or "(none)"] += 1
    out = []
    for theme in _groups(themes, include_unthemed):
        people: dict[str, list[str]] = defaultdict(list)
        for sid in theme.snippet_ids:
            s = themes.snippets.get(sid)
            if s is not None:
                people[s.study or "(none)"].append(s.participant)
        for study, who in sorted(people.items()):
            out.append({"theme_id": theme.id, "label": theme.label, "study": study, "count": len(who),
                        "participants": len(set(who)),
                        "share_of_study": round(len(who) / study_total[study], 4)})
    return out
