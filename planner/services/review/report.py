"""The weekly review as text: Markdown worth pasting into notes, JSON for scripts.

Both are pure functions of a :class:`~planner.services.review.WeekReview`, deterministic for the
same review (JSON keys sorted; every list already ordered by the service). Untrusted text (names,
titles, messages, feed errors) is cleaned of control characters and escaped for Markdown so it can
never become a heading, a link or emphasis. Times are shown in the review's time zone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from planner.jsonout import dumps
from planner.services.review.model import WeekReview
from planner.text import clean_text, count, label

_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_LINE_START_RE = re.compile(r"^(\s*)([>+=-]|\d+[.)])")
BAR_WIDTH = 20


def _md(text: str | None) -> str:
    """One line of untrusted text, escaped for Markdown."""
    line = clean_text(text, max_len=0, single_line=True)
    line = _MD_INLINE_RE.sub(r"\\\1", line)
    return _MD_LINE_START_RE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line)


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _bar(value: float, total: float, width: int = BAR_WIDTH) -> str:
    filled = round(width * value / total) if total else 0
    return "█" * filled + "·" * (width - filled)


def to_json(review: WeekReview) -> str:
    """The review as JSON: sorted keys, two-space indent, a final newline."""
    return dumps(review, indent=2, sort_keys=True) + "\n"


def to_markdown(review: WeekReview) -> str:
    zone = ZoneInfo(review.timezone)

    def local(at: datetime) -> datetime:
        return at.astimezone(zone)

    out: list[str] = []
    for section in (_md_header, _md_posts, _md_touchpoints, _md_network, _md_discover, _md_charts, _md_next):
        out += section(review, local)
    return "\n".join(out) + "\n"


def _md_header(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    out = [
        f"# Weekly review {review.week}",
        "",
        f"{review.monday:%a %d %b} – {review.sunday:%a %d %b %Y} · {review.timezone}",
    ]
    if review.saved and review.saved.completed_at:
        out.append(f"Reviewed {local(review.saved.completed_at):%a %d %b %Y %H:%M}.")
    streak = review.streak
    kept = streak.this_week
    return out + [
        "",
        (
            f"**Plan kept:** {'yes' if kept.kept else 'no'} · streak {streak.weeks} week{'s' if streak.weeks != 1 else ''} "
            f"· posts {kept.posts_published}/{kept.posts_planned} published · touchpoints {kept.touches_done}/"
            f"{kept.touches_planned} done"
        ),
        "",
        f"_{_md(streak.definition[0].upper() + streak.definition[1:])}._",
    ]


def _md_posts(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    p = review.posts
    out = [
        "",
        "## Posts",
        "",
        f"{p.published} of {p.planned} scheduled posts published · {p.skipped} skipped · {p.missed} missed"
        + (f" · {p.upcoming} still ahead" if p.upcoming else ""),
        "",
    ]
    for row in p.pillars:
        out.append(
            f"- {label(row.pillar).capitalize()}: {row.published}/{row.planned} published · "
            f"{_pct(row.share)} of published vs {_pct(row.target)} target"
        )
    if p.items:
        out.append("")
        for item in p.items:
            out.append(f"- {local(item.at):%a %H:%M} · {_md(item.title)} · {label(item.pillar)} · **{item.outcome}**")
    return out


def _md_touchpoints(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    t = review.touchpoints
    out = [
        "",
        "## Touchpoints",
        "",
        f"{t.done} done · {t.skipped} skipped · {t.overdue} overdue of {t.planned} planned"
        + (f" · {t.upcoming} still ahead" if t.upcoming else ""),
        "",
    ]
    for item in t.items:
        out.append(f"- {local(item.at):%a %H:%M} · {_md(item.title)} · **{item.outcome}**")
    ga, ga90 = review.give_ask_week, review.give_ask_90_days
    return out + ["", f"**Give:ask** this week {ga.ratio_text} · last 90 days {ga90.ratio_text}"]


def _md_network(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    out = ["", "## Going cold", ""]
    if not review.going_cold:
        out.append("Nobody is overdue.")
    else:
        n = review.going_cold_total
        out.append(f"{count(n, 'person')} going cold; the most overdue first:")
        out.append("")
        for person in review.going_cold:
            since = (
                "never contacted"
                if person.last_contact_at is None
                else f"{count(int(person.overdue_days), 'day')} overdue"
            )
            line = f"- **{_md(person.name)}** ({person.tier}, every {count(person.cadence_days, 'day')}) · {since}"
            if person.suggestion:
                line += f" → {label(person.suggestion.kind)}: {_md(person.suggestion.reason)}"
            if person.planned:
                line += f" · planned: {_md(person.planned)}"
            out.append(line)
    out += ["", "## New connections without a value-first touch", ""]
    if not review.new_connections:
        out.append("None.")
    for new in review.new_connections:
        line = f"- **{_md(new.name)}**" + (f" ({_md(new.company)})" if new.company else "")
        line += f" · connected {new.connected_on:%a %d %b}"
        if new.suggestion:
            line += f" → {label(new.suggestion.kind)}"
        if new.planned:
            line += f" · planned: {_md(new.planned)}"
        out.append(line)
    return out


def _md_discover(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    out = ["", "## Rising", ""]
    if not review.rising:
        out.append("Nothing rising in your topics right now.")
    for topic in review.rising:
        words = ", ".join(f"{_md(k.keyword)} ({k.count}, ×{k.lift:g})" for k in topic.keywords)
        out.append(f"- **{_md(topic.topic)}**: {words}")
        for entry in topic.entries:
            title = _md(entry.title)
            link = f" <{entry.link}>" if entry.link and not any(c in entry.link for c in "<> ") else ""
            out.append(f"  - {title}{link}" + (" · idea exists" if entry.has_idea else ""))
    out += ["", "## Failing feeds", ""]
    if not review.failing_feeds:
        out.append("All feeds healthy.")
    for feed in review.failing_feeds:
        state = "disabled" if not feed.enabled else (feed.status or "failing")
        why = feed.error or feed.disabled_reason or ""
        out.append(
            f"- {_md(feed.title)} · {state} · {feed.failure_count} failure{'s' if feed.failure_count != 1 else ''}"
            + (f" · {_md(why)}" if why else "")
        )
    return out


def _md_charts(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    """The charts as text."""
    out = ["", "## Charts", "", "Pillar mix (published, last 4 weeks) vs target:", "", "```"]
    for m in review.charts.pillar_mix:
        out.append(f"{label(m.pillar):<20} {_bar(m.recent, 1)} {_pct(m.recent):>4}  target {_pct(m.target)}")
    top = max((w.touches_done for w in review.charts.weeks), default=0) or 1
    out += ["```", "", "Touchpoints done and give:ask per week:", "", "```"]
    for w in review.charts.weeks:
        out.append(f"{w.week}  {_bar(w.touches_done, top)} {w.touches_done:>3}  {w.gives}:{w.asks}")
    return out + ["```"]


def _md_next(review: WeekReview, local: Callable[[datetime], datetime]) -> list[str]:
    out = ["", "## Next week", ""]
    out += [f"- {_md(s)}" for s in review.suggestions] or ["- Keep going."]
    if review.saved and review.saved.decisions:
        out += ["", "## Decisions", ""]
        for key in sorted(review.saved.decisions):
            value = review.saved.decisions[key]
            shown = json.dumps(value, sort_keys=True, ensure_ascii=False)
            out.append(f"- {_md(label(key))}: {_md(shown)}")
    return out


__all__ = ["to_json", "to_markdown"]
