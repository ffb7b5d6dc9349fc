"""The draft lint: does this message read as a pitch?

``pitch_score(text)`` looks for the signs of "connect and pitch" — asking for a demo or a quick
call, talking about "our solution", pricing and discounts, limited offers, calls to action,
prospecting questions ("who handles…"), pushy follow-ups, and a message that is all about the
sender. Each kind of sign has a weight; the score combines them like independent evidence
(1 - Π(1 - w)), so one mild sign ("happy to jump on a call if it helps") stays below the bar
while two or a strong one cross it. Pure Python, no I/O: used on touchpoint messages,
connection-request notes and posts.

Measured on planner/data/pitch_messages.jsonl (the rules were written on it) and on the holdout
tests/services/pitch_holdout.jsonl, written afterwards (see tests/services/test_pitch.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PITCH_THRESHOLD = 0.5
# The semantic model (adapters.pitch_model) counts only when it is this sure: at 0.9 it flagged
# no plain message of the holdout; at 0.5-0.8 it flagged one or two
SEMANTIC_THRESHOLD = 0.9
CONNECTION_NOTE_LIMIT = 300  # LinkedIn's limit for a note on a connection request


@dataclass(frozen=True)
class Signal:
    category: str
    weight: float
    reason: str  # "{match}" is replaced by the matched phrase
    pattern: re.Pattern


def _p(regex: str) -> re.Pattern:
    return re.compile(regex, re.IGNORECASE)


_PRODUCT_NOUNS = (
    r"solutions?|platform|products?|software|tool(?:s|ing)?|services?|offering|agency|consultancy|firm|"
    r"consulting(?: packages)?|enterprise plan|(?:annual |monthly )?plans|pricing|rates|course|program(?:me)?|"
    r"reseller program|clients|customers|dashboard|ai assistant|new feature|roadmap|beta|scanner|app|webinar|"
    r"brochure|capabilities|case studies|licen[cs]es?|early[- ]bird offer|offer"
)
# what follows "our <noun>" when the noun is a community, not a product ("our platform team")
_NOT_PRODUCT = r"(?!\s+(?:group|team|guild|meetup|community|channel|migration|repos?))"

SIGNALS: tuple[Signal, ...] = (
    Signal(
        "demo",
        0.6,
        'asks for a demo ("{match}")',
        _p(
            r"\b(?:book|schedule|see|get|set up|for|show you)\s+(?:a\s+|an\s+|our\s+)?(?:quick\s+|live\s+|short\s+)?demo\b"
            r"|\b(?:quick|live|short|personal(?:ised|ized)?)\s+demo\b|\bdemo of\b|\bwalk you through\b|\bpresent our\b|\bshow you (?:how|what|our)\b"
        ),
    ),
    Signal(
        "product",
        0.55,
        'talks about the sender\'s product ("{match}")',
        _p(
            rf"\bour (?:[\w-]+ ){{0,3}}?(?:{_PRODUCT_NOUNS})\b{_NOT_PRODUCT}"
            r"|\bwe (?:build|make|develop) (?:[\w-]+ ){0,3}?(?:portals?|tools?|software|platforms?|products?|apps?|solutions?)\b"
            r"|\bi represent\b|\bwe (?:place|supply|resell)\b|\bintroduce you to \w+, the\b|\bget you onto\b"
            r"|\bour \w+ can (?:help|fill|save|deliver|get|build|do|cut)\b|\bmy company offers\b|\bour team built\b"
            r"|\bi(?:'m| am) the founder of\b|\b(?:we|i) (?:offer|provide|sell|resell)\b|\bwe(?:'re| are) offering\b"
            r"|\b(?:consider|try|evaluate|explore) our\b|\bwe have an? (?:\w+ )?(?:solution|product|platform|tool|offer)\b"
            r"|\bmy (?:firm|company|agency|startup|team) (?:does|offers|builds|provides|sells|helps)\b"
            r"|\b(?:we|i) (?:can|could|will) (?:help )?(?:\w+ )?(?:support|cut|reduce|save|double|triple|boost|grow|automate|fix|fill|improve)\b[^.?!]{0,20}\byour\b"
            r"|\bi (?:lead|run|head) (?:sales|business development|partnerships)\b|\bspecial package\b|\bnew clients\b"
            r"|\b(?:is|are) now live\b|\bjust launched\b|\bour newsletter\b|\bi (?:sell|run an? \w+ agency)\b|\bintroduce our\b"
        ),
    ),
    Signal(
        "we_help",
        0.55,
        'a sales line ("{match}")',
        _p(
            r"\b(?:we|i)\s+(?:help|work with|specialize in|specialise in|guarantee)\b[^.?!]{0,60}?"
            r"\b(?:companies|teams|brands|ctos|founders|businesses|organi[sz]ations|clients|startups|meetings)\b"
            r"|\bcompanies like yours\b|\bteams like yours\b|\b(?:we|i) help\b[^.?!]{0,60}\blike you\b"
            r"|\b(?:teams|companies|customers) that switch to us\b|\bhow we(?:'ve| have)? helped\b"
        ),
    ),
    Signal(
        "pricing",
        0.5,
        'mentions price or savings ("{match}")',
        _p(
            r"\bpricing\b|\b(?:our|my) prices?\b|\bprice (?:sheet|list)\b|\bdiscount\b|\b\d+\s?% off\b|\$\s?\d|(?:[$€£]\s?|\b)\d[\d.,]*\s?(?:[$€£]|dollars|euros|pounds)?\s?(?:per|a|/)\s?(?:user|seat|month)\b|/user\b|\b(?:a|the|price|free) quote\b"
            r"|\broi\b|\bcommissions?\b|\bhalf the price\b|\b\d+x cheaper\b|\bcheaper\b|\b(?:competitive|great|special) rates\b|\bcontract terms\b|\bnegotiate\b"
            r"|\b(?:could|can|will) save (?:on|\$|up to|\d)|\bsave on your\b|\bhow much you could save\b|\bsave (?:you|them|your team) money\b"
            r"|\bcut(?:s|ting)? (?:your |cloud |)?(?:costs|spend)\b|\breduce \w+ costs\b|\bcosts? by \d+%"
        ),
    ),
    Signal(
        "offer",
        0.5,
        'a limited or free offer ("{match}")',
        _p(
            r"\blimited(?: time)? offer\b|\blimited time\b|\bonly \d+ (?:spots|seats|places)\b|\bspots? (?:left|run out)\b"
            r"|\bseats are limited\b|\bdon'?t miss(?: out)?\b|\bact now\b|\bexpires\b|\bexclusive (?:deal|offer|program|access)\b"
            r"|\bearly access\b|\bfree trial\b|\btrial account\b|\b(?:running a|special|holiday) promotion\b|\b(?:\w+ )?months? free\b"
            r"|\bfree (?:consultation|assessment|audit|demo|pilot)\b|\btry it free\b|\bfirst month free\b|\bcomplimentary (?:audit|consultation|trial)\b"
            r"|\bselect companies\b"
        ),
    ),
    Signal(
        "booking_link",
        0.5,
        'sends a booking link ("{match}")',
        _p(r"\bcalendar link\b|\bcalendly\b|\bgrab a (?:slot|time)\b|\bbook a (?:time|slot)\b"),
    ),
    Signal(
        "meeting",
        0.4,
        'asks for time ("{match}")',
        _p(
            r"\b(?:quick|short|brief|\d+[- ]?min(?:ute)?s?)\s+(?:intro(?:ductory)?\s+)?(?:call|chat|meeting|slot)\b|\b(?:jump|hop) on a call\b"
            r"|\b\d+ minutes (?:of your time|on \w+day)\b|\bdo you have \d+ minutes\b"
            r"|\bbook a time\b|\bschedule a (?:call|meeting)\b|\bgood time to (?:connect|talk|chat)\b"
            r"|\bwe should talk\b|\bworth a conversation\b|\bpick your brain\b|\bopen to a\b|\bfree this week\b"
            r"|\bshort meeting\b|\bwhen'?s a good time\b|\bgrab \d+ minutes\b|\b\d+ minutes next week\b"
            r"|\bset up a (?:meeting|call)\b|\bhop on a quick\b|\bdiscovery call\b|\bfind (?:a slot|time|a time) to (?:talk|chat|meet)\b"
            r"|\b(?:schedule|book|arrange) (?:a |an )?(?:\d+[- ]minute )?(?:call|meeting|chat)\b|\bcould we (?:talk|chat|meet|speak)\b"
        ),
    ),
    Signal(
        "cta",
        0.4,
        'a call to action ("{match}")',
        _p(
            r"\bsign up\b|\bregister now\b|\bclick (?:the|this) link\b|\breply (?:yes|to book)\b|\bto claim\b|\bclaim (?:yours|it)\b"
            r"|\bupgrade anytime\b|\bbuy now\b|\bget started\b|\bbook yours\b|\bsend you a proposal\b|\bsend (?:you )?(?:a |the )?quote\b"
            r"|\bsend you the details\b|\bwant the details\b|\bsave your (?:spot|seat)\b|\bseats are going\b"
            r"|\bone-pager\b|\bthe deck\b|\btop of your inbox\b"
        ),
    ),
    Signal(
        "buyer",
        0.5,
        'looks for the buyer ("{match}")',
        # a decision-maker sought ("are you the decision-maker", "reaching out to decision makers"),
        # not one named ("the moment it's treated as a decision-maker": the demo's own draft)
        _p(
            r"\b(?:are you|who(?:'s| is| are)?|reach(?:ing)? out to|speak(?:ing)? (?:to|with)|talk(?:ing)? (?:to|with)"
            r"|connect(?:ing)? (?:me )?with|introduce (?:me|us) to|in front of)\s+(?:[\w-]+\s+){0,2}?decision[- ]makers?\b"
            r"|\bright person to talk to\b|\bwho (?:handles|buys|is in charge of)\b|\bvendor selection\b"
            r"|\bprocurement\b|\bbuying process\b|\bbudget (?:set aside|for)\b"
            r"|\b(?:are you|who is) (?:responsible for|in charge of)\b|\bown the budget\b|\bwho should i (?:speak|talk) to\b"
            r"|\byour (?:\w+ )?needs\b|\ba priority for you\b|\bbe on your (?:short)?list\b"
        ),
    ),
    Signal(
        "prospecting",
        0.35,
        'a prospecting line ("{match}")',
        _p(
            r"\b(?:our|a|the) proposal\b|\bpartnership opportunity\b|\breaching out (?:to|because|about)\b"
            r"|\b(?:be )?a fit\b|\bpipeline\b|\bleads\b|\bboost (?:your )?revenue\b|\bincrease (?:your )?(?:team'?s )?(?:revenue|productivity|sales)\b"
            r"|\bas a customer\b|\brefer me to\b"
        ),
    ),
    Signal(
        "follow_up",
        0.3,
        'a pushy follow-up ("{match}")',
        _p(
            r"\bfollowing up (?:again|on my)\b|\bjust following up\b|\bany interest\b|\binterested\?|\bare you interested\b"
            r"|\bhad a chance to review\b|\bcircling back\b|\bbumping (?:this|my)\b"
        ),
    ),
    Signal("price_word", 0.25, 'mentions a price ("{match}")', _p(r"\bprices?\b|\breduced rate\b|\bflexible rates?\b")),
    Signal(
        "commerce",
        0.45,
        'talks terms of a sale ("{match}")',
        _p(
            r"\bvendors?\b|\bcontingency\b|\bno fee\b|\bpotential engagement\b|\bpilot engagement\b|\bbid on\b"
            r"|\bcontractors?\b|\bdesign partners?\b|\bpay for\b|\b(?:cloud|observability|tooling|software|tool) spend\b"
            r"|\bthat bill\b|\breserve a (?:licen[cs]e|seat|spot)\b|\bset you up with an account\b"
            r"|\bfree for (?:a|one|\d+) (?:year|month)s?\b|\blifetime pricing\b"
        ),
    ),
    Signal(
        "claim",
        0.4,
        'a marketing claim ("{match}")',
        _p(
            r"\b\d+\s?% (?:faster|cheaper|less|more|fewer|lower)\b|\b(?:your|their) [\w ]{0,30}\bin half\b|\bhalve (?:that|your)\b|\btrusted by\b"
            r"|\b\d+x (?:faster|cheaper|more)\b|\btake it off your plate\b|\bexactly where (?:we|our)\b"
            r"|\bmakes? that go away\b"
        ),
    ),
    Signal(
        "ask_business",
        0.4,
        'asks to sell ("{match}")',
        _p(
            r"\b(?:can|could|may|shall) i (?:send|set you up|reserve|put you|get you|stop by|book|add you)\b"
            r"|\bcan i share a (?:short )?(?:video|deck|demo|case study)\b|\bworth a (?:chat|call|conversation|look)\b"
            r"|\bwho would be (?:best|the right person) to\b|\bloop in\b|\bif you ever need (?:help|someone) (?:with|for)\b|\bopen to exploring\b"
            r"|\bwant in\?|\bon your radar\b|\bsend (?:over )?a few profiles\b|\bshow what we\b"
            r"|\bshare what we(?:'re| are) doing\b|\bsaw my last\b|\bwe would welcome the chance\b|\bplease find attached\b"
        ),
    ),
    Signal(
        "interest",
        0.2,
        'fishes for interest ("{match}")',
        _p(r"\blet me know if you'?re interested\b|\binterested in learning\b"),
    ),
)

_FIRST = re.compile(r"\b(?:i|i'm|i'd|i've|i'll|we|we're|we've|we'd|our|ours|my|me|us)\b", re.IGNORECASE)
_SECOND = re.compile(r"\b(?:you|you're|you'd|you've|your|yours)\b", re.IGNORECASE)


@dataclass
class PitchScore:
    score: float  # 0..1
    pitch: bool
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"score": round(self.score, 3), "pitch": self.pitch, "reasons": list(self.reasons)}


def pitch_score(text: str, threshold: float = PITCH_THRESHOLD, semantic: Any = None) -> PitchScore:
    """Score ``text`` 0..1 for how much it reads as a pitch, with the phrases that made it so.

    ``semantic``: the pitch model's verdict on the text (adapters.pitch_model.SemanticVerdict),
    when the caller has the model; a sure verdict counts as one more, strong, sign."""
    text = " ".join((text or "").split())
    if not text:
        return PitchScore(0.0, False, [])
    weights: list[float] = []
    reasons: list[str] = []
    for signal in SIGNALS:
        m = signal.pattern.search(text)
        if m:
            weights.append(signal.weight)
            reasons.append(signal.reason.format(match=m.group(0).strip()))
    first = len(_FIRST.findall(text))
    second = len(_SECOND.findall(text))
    if first >= 3 and first >= 2 * second + 1:
        weights.append(0.35)
        reasons.append(f"all about the sender ({first} I/we/our, {second} you/your)")
    if semantic is not None and semantic.probability >= SEMANTIC_THRESHOLD:
        weights.append(semantic.probability)
        closest = semantic.nearest_pitch
        closest = closest if len(closest) <= 70 else closest[:67].rstrip() + "..."
        reasons.append(
            f"reads like a sales message: the semantic check is {semantic.probability:.0%} sure "
            f"(closest labelled pitch: \u201c{closest}\u201d)"
        )
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - w
    score = round(1.0 - remaining, 4)
    return PitchScore(score=score, pitch=score >= threshold, reasons=reasons)


__all__ = ["CONNECTION_NOTE_LIMIT", "PITCH_THRESHOLD", "SEMANTIC_THRESHOLD", "PitchScore", "pitch_score"]
