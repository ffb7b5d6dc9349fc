"""The domain's enumerations, apart from the tables so that plain-SQL reads (services.today's
first frame) can name them without importing SQLModel. Stored as plain strings (see models)."""

from __future__ import annotations

from enum import StrEnum


class Pillar(StrEnum):
    THOUGHT_LEADERSHIP = "thought_leadership"
    CONTENT_SHARE = "content_share"
    GROUP_ENGAGEMENT = "group_engagement"
    VIRTUAL_EVENT = "virtual_event"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PostStatus(StrEnum):
    IDEA = "idea"
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    SKIPPED = "skipped"


class TouchStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"


class TouchKind(StrEnum):
    # value-first: giving before asking
    SHARE_CONTENT = "share_content"
    COMMENT_ON_POST = "comment_on_post"
    CONGRATULATE = "congratulate"
    INTRODUCE = "introduce"
    INVITE_TO_EVENT = "invite_to_event"
    RECOMMEND = "recommend"
    THANK = "thank"
    CHECK_IN = "check_in"
    # asks: spend social capital
    PITCH = "pitch"
    MEETING_REQUEST = "meeting_request"
    REFERRAL_REQUEST = "referral_request"

    @property
    def is_ask(self) -> bool:
        return self in ASK_KINDS

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


ASK_KINDS = frozenset({TouchKind.PITCH, TouchKind.MEETING_REQUEST, TouchKind.REFERRAL_REQUEST})
VALUE_FIRST_KINDS = frozenset(k for k in TouchKind if k not in ASK_KINDS)


class Tier(StrEnum):
    INNER = "inner"
    ACTIVE = "active"
    WARM = "warm"
    DORMANT = "dormant"


DEFAULT_TIER_CADENCE_DAYS = {Tier.INNER: 14, Tier.ACTIVE: 30, Tier.WARM: 60, Tier.DORMANT: 180}


class EventRole(StrEnum):
    HOSTING = "hosting"
    ATTENDING = "attending"
