"""Strategy: the user's time zone, posting slots, target pillar mix, capacity and guard thresholds.

There is one Strategy row (created on first use with sensible slots). `show_strategy` returns it as
plain data; `set_strategy(KEY, VALUE)` validates one setting at a time so the CLI and the TUI share
the same rules and messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import DEFAULT_TIER_CADENCE_DAYS, Pillar, Slot, Strategy, Tier, pk, utcnow

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A first strategy that works out of the box: four posts a week, value-first heavy.
DEFAULT_SLOTS = (
    (1, "09:00", Pillar.THOUGHT_LEADERSHIP.value, "profile"),
    (2, "12:00", Pillar.CONTENT_SHARE.value, "profile"),
    (3, "09:00", Pillar.GROUP_ENGAGEMENT.value, "profile"),
    (4, "12:00", Pillar.CONTENT_SHARE.value, "profile"),
)
KEYS = (
    "timezone",
    "working_days",
    "daily_touch_capacity",
    "pillar_mix",
    "pitch_min_gives",
    "pitch_min_days",
    "tier_cadences",
    "cadence.<tier>",
    "slots.add",
    "slots.remove",
    "slot_learning",
)
MIX_TOLERANCE = 0.01
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SlotView:
    id: int
    weekday: int
    day: str  # "tue"
    local_time: str  # "09:00"
    pillar: str
    channel: str

    def label(self) -> str:
        return f"{self.day} {self.local_time} {self.pillar} ({self.channel})"


@dataclass(frozen=True)
class StrategyView:
    id: int
    timezone: str
    working_days: list[int]
    daily_touch_capacity: int
    pillar_mix: dict[str, float]
    pitch_min_gives: int
    pitch_min_days: int
    tier_cadences: dict[str, int]
    slots: list[SlotView] = field(default_factory=list)
    version: int = 1
    slot_learning: bool = False  # plan week prefers slots whose posts did better (analytics)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def working_day_names(self) -> list[str]:
        return [WEEKDAY_NAMES[d] for d in self.working_days]

    def as_json(self) -> dict:
        data = asdict(self)
        data["working_days"] = self.working_day_names
        return data

    def settings(self) -> list[tuple[str, str]]:
        """(key, value) pairs as `strategy set` takes them, for display."""
        rows = [
            ("timezone", self.timezone),
            ("working_days", ",".join(self.working_day_names)),
            ("daily_touch_capacity", str(self.daily_touch_capacity)),
            ("pillar_mix", ",".join(f"{k}={v:g}" for k, v in self.pillar_mix.items())),
            ("pitch_min_gives", str(self.pitch_min_gives)),
            ("pitch_min_days", str(self.pitch_min_days)),
            ("slot_learning", "on" if self.slot_learning else "off"),
        ]
        rows += [(f"cadence.{k}", str(v)) for k, v in self.tier_cadences.items()]
        rows += [(f"slot {s.id}", s.label()) for s in self.slots]
        return rows


def get_strategy(session: Session, now: datetime | None = None) -> Strategy:
    """The strategy row, created with the default slots on first use."""
    strategy = session.exec(select(Strategy).order_by(col(Strategy.id))).first()
    if strategy is None:
        now = now or utcnow()
        strategy = Strategy(updated_at=now)
        session.add(strategy)
        session.flush()
        for weekday, local_time, pillar, channel in DEFAULT_SLOTS:
            session.add(
                Slot(strategy_id=pk(strategy), weekday=weekday, local_time=local_time, pillar=pillar, channel=channel)
            )
        session.flush()
    return strategy


def _slots(session: Session, strategy_id: int) -> list[SlotView]:
    rows = session.exec(select(Slot).where(col(Slot.strategy_id) == strategy_id)).all()
    views = [SlotView(pk(s), s.weekday, WEEKDAY_NAMES[s.weekday % 7], s.local_time, s.pillar, s.channel) for s in rows]
    return sorted(views, key=lambda s: (s.weekday, s.local_time, s.id))


def _view(session: Session, s: Strategy) -> StrategyView:
    return StrategyView(
        id=pk(s),
        timezone=s.timezone,
        working_days=parse_working_days(s.working_days, where="stored strategy working_days"),
        daily_touch_capacity=s.daily_touch_capacity,
        pillar_mix=parse_pillar_mix(s.pillar_mix, where="stored strategy pillar_mix"),
        pitch_min_gives=s.pitch_min_gives,
        pitch_min_days=s.pitch_min_days,
        tier_cadences=parse_tier_cadences(s.tier_cadences, where="stored strategy tier_cadences"),
        slots=_slots(session, pk(s)),
        version=s.version,
        slot_learning=bool(s.slot_learning),
    )


def show_strategy(session: Session, now: datetime | None = None) -> StrategyView:
    return _view(session, get_strategy(session, now))


# --- parsing ------------------------------------------------------------------------------------


def parse_timezone(value: str, where: str = "timezone") -> str:
    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlannerError(f"{where}: unknown time zone {value!r} (expected an IANA name like Europe/Berlin)") from None
    return value


def parse_weekday(value: str, where: str = "weekday") -> int:
    key = value.strip().lower()[:3]
    if key not in WEEKDAY_NAMES:
        raise PlannerError(f"{where}: {value!r} is not a weekday (expected one of {', '.join(WEEKDAY_NAMES)})")
    return WEEKDAY_NAMES.index(key)


def parse_working_days(value: str, where: str = "working_days") -> list[int]:
    parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
    if not parts:
        raise PlannerError(f"{where}: give at least one day, like mon,tue,wed,thu,fri")
    return sorted({parse_weekday(p, where) for p in parts})


def parse_int(value: str, where: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise PlannerError(f"{where}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise PlannerError(f"{where}: {number} is out of range ({low}–{high})")
    return number


def _pairs(value: str, where: str) -> dict[str, str]:
    """'a=1,b=2' or a JSON object → {'a': '1', 'b': '2'}."""
    text = value.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlannerError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise PlannerError(f"{where}: expected a JSON object")
        return {str(k): str(v) for k, v in data.items()}
    out = {}
    for part in (p for p in re.split(r"[,\s]+", text) if p):
        if "=" not in part:
            raise PlannerError(f"{where}: {part!r} should look like name=value")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def parse_pillar_mix(value: str, where: str = "pillar_mix") -> dict[str, float]:
    """Shares per pillar summing to 1 (±0.01); pillars left out get 0."""
    pairs = _pairs(value, where)
    mix = {p.value: 0.0 for p in Pillar}
    for name, raw in pairs.items():
        if name not in mix:
            raise PlannerError(f"{where}: unknown pillar {name!r} (expected {', '.join(mix)})")
        try:
            share = float(raw)
        except ValueError:
            raise PlannerError(f"{where}: share for {name} is not a number: {raw!r}") from None
        if share < 0 or share > 1:
            raise PlannerError(f"{where}: share for {name} must be between 0 and 1, got {share:g}")
        mix[name] = share
    total = sum(mix.values())
    if abs(total - 1.0) > MIX_TOLERANCE:
        raise PlannerError(f"{where}: shares must sum to 1, they sum to {total:g}")
    return mix


def parse_tier_cadences(value: str, where: str = "tier_cadences") -> dict[str, int]:
    cadences = {t.value: DEFAULT_TIER_CADENCE_DAYS[t] for t in Tier}
    for name, raw in _pairs(value, where).items():
        if name not in cadences:
            raise PlannerError(f"{where}: unknown tier {name!r} (expected {', '.join(cadences)})")
        cadences[name] = parse_int(raw, f"{where}.{name}", 1, 3650)
    return cadences


def parse_local_time(value: str, where: str = "time") -> str:
    m = _TIME_RE.match(value.strip())
    if not m:
        raise PlannerError(f"{where}: {value!r} is not a time like 09:00")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_pillar(value: str, where: str = "pillar") -> str:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in Pillar._value2member_map_:
        raise PlannerError(f"{where}: unknown pillar {value!r} (expected {', '.join(p.value for p in Pillar)})")
    return key


# --- editing ------------------------------------------------------------------------------------


def set_strategy(
    session: Session, key: str, value: str, now: datetime | None = None, expected_version: int | None = None
) -> StrategyView:
    """Change one setting. Keys: see KEYS. `slots.add "tue 09:00 thought_leadership [channel]"`,
    `slots.remove ID` or `slots.remove "tue 09:00"`."""
    from planner.store.versioning import bump, load_for_edit

    now = now or utcnow()
    s = load_for_edit(session, Strategy, pk(get_strategy(session, now)), expected_version)
    key = key.strip().lower().replace("-", "_")
    if key == "timezone":
        s.timezone = parse_timezone(value)
    elif key == "working_days":
        s.working_days = ",".join(WEEKDAY_NAMES[d] for d in parse_working_days(value))
    elif key == "daily_touch_capacity":
        s.daily_touch_capacity = parse_int(value, key, 0, 100)
    elif key == "pillar_mix":
        s.pillar_mix = json.dumps(parse_pillar_mix(value), sort_keys=True)
    elif key == "pitch_min_gives":
        s.pitch_min_gives = parse_int(value, key, 0, 100)
    elif key == "pitch_min_days":
        s.pitch_min_days = parse_int(value, key, 0, 3650)
    elif key == "tier_cadences":
        s.tier_cadences = json.dumps(parse_tier_cadences(value), sort_keys=True)
    elif key.startswith("cadence."):
        tier = key.split(".", 1)[1]
        current = parse_tier_cadences(s.tier_cadences, where="stored strategy tier_cadences")
        if tier not in current:
            raise PlannerError(f"{key}: unknown tier {tier!r} (expected {', '.join(current)})")
        current[tier] = parse_int(value, key, 1, 3650)
        s.tier_cadences = json.dumps(current, sort_keys=True)
    elif key == "slot_learning":
        flag = value.strip().lower()
        if flag not in ("on", "off", "true", "false", "yes", "no", "1", "0"):
            raise PlannerError(f"slot_learning: expected on or off, got {value!r}")
        s.slot_learning = flag in ("on", "true", "yes", "1")
    elif key in ("slots.add", "slot.add"):
        add_slot(session, s, value)
    elif key in ("slots.remove", "slot.remove"):
        remove_slot(session, s, value)
    else:
        raise PlannerError(f"unknown strategy setting {key!r} (expected one of {', '.join(KEYS)})")
    bump(s, now)
    session.add(s)
    session.flush()
    return _view(session, s)


def add_slot(session: Session, strategy: Strategy, spec: str) -> Slot:
    """'tue 09:00 thought_leadership [channel]'."""
    parts = spec.split()
    if len(parts) not in (3, 4):
        raise PlannerError(f"slots.add: expected 'DAY HH:MM PILLAR [CHANNEL]', got {spec!r}")
    weekday = parse_weekday(parts[0], "slots.add day")
    local_time = parse_local_time(parts[1], "slots.add time")
    pillar = parse_pillar(parts[2], "slots.add pillar")
    channel = parts[3] if len(parts) == 4 else "profile"
    clash = session.exec(
        select(Slot).where(
            col(Slot.strategy_id) == strategy.id, col(Slot.weekday) == weekday, col(Slot.local_time) == local_time
        )
    ).first()
    if clash is not None:
        raise PlannerError(
            f"slots.add: there is already a slot on {WEEKDAY_NAMES[weekday]} at {local_time} (id {clash.id})"
        )
    slot = Slot(strategy_id=pk(strategy), weekday=weekday, local_time=local_time, pillar=pillar, channel=channel)
    session.add(slot)
    session.flush()
    return slot


def remove_slot(session: Session, strategy: Strategy, spec: str) -> None:
    """By id ('3') or by 'DAY HH:MM'."""
    spec = spec.strip()
    if spec.isdigit():
        slot = session.get(Slot, int(spec))
        if slot is None or slot.strategy_id != strategy.id:
            raise PlannerError(f"slots.remove: no slot with id {spec}")
    else:
        parts = spec.split()
        if len(parts) != 2:
            raise PlannerError(f"slots.remove: expected a slot id or 'DAY HH:MM', got {spec!r}")
        weekday = parse_weekday(parts[0], "slots.remove day")
        local_time = parse_local_time(parts[1], "slots.remove time")
        slot = session.exec(
            select(Slot).where(
                col(Slot.strategy_id) == strategy.id, col(Slot.weekday) == weekday, col(Slot.local_time) == local_time
            )
        ).first()
        if slot is None:
            raise PlannerError(f"slots.remove: no slot on {WEEKDAY_NAMES[weekday]} at {local_time}")
    session.delete(slot)
    session.flush()


def apply_strategy_changes(
    session: Session, changes: dict[str, str], now: datetime | None = None, expected_version: int | None = None
) -> StrategyView:
    """Several `set_strategy` changes in one transaction: all are saved, or none (the TUI's form)."""
    from planner.errors import ConflictError, FieldError

    view = show_strategy(session, now)
    for i, (key, value) in enumerate(changes.items()):
        try:
            view = set_strategy(session, key, value, now, expected_version=expected_version if i == 0 else None)
        except ConflictError:
            raise
        except PlannerError as exc:  # names the field, so a form can mark it (and keep every value)
            raise FieldError(key, str(exc)) from exc
    return view
