"""The post editor: live length against LinkedIn's limits, the pitch score with its reasons,
suggested hashtags, the linked entry beside the text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static, TextArea

from planner.models import Pillar, PostStatus
from planner.services import posts as post_service
from planner.services.hashtags import suggest_hashtags
from planner.services.pitch import SEMANTIC_THRESHOLD, pitch_score
from planner.text import label
from planner.tui.modals.schedule import ScheduleDialog
from planner.tui.screens.base import PlannerScreen
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar
from planner.tui.widgets.week_grid import PILLAR_STYLES

PILLARS = [p.value for p in Pillar]


def length_report(text: str) -> Text:
    """'1,234 chars · post ✓ 3,000 · comment ✗ 1,250 · note ✗ 300' with over-limit parts in red."""
    n = len(text)
    out = Text(f"{n:,} characters", style="bold")
    for name, limit in post_service.LIMITS.items():
        ok = n <= limit
        out.append(" · ")
        out.append(f"{name} {'✓' if ok else '✗'} {limit:,}", style="green" if ok else "bold red")
        if not ok and name == "post":
            out.append(f" ({n - limit:,} over)", style="bold red")
    return out


_semantic_state = {"usable": True}  # False once the model failed to load in this process


class PostEditorScreen(PlannerScreen):
    class ContextLoaded(Message, bubble=False):
        """The post (or a new one's defaults) read by the load worker; ``then`` runs once it is shown."""

        def __init__(self, context: post_service.EditorContext, then: Callable[[], None] | None) -> None:
            super().__init__()
            self.context, self.then = context, then

    class SlotProposed(Message, bubble=False):
        """The next free slot for ``pillar`` (the schedule dialog's proposal), read at ``now``."""

        def __init__(self, pillar: str, now: datetime, proposal) -> None:
            super().__init__()
            self.pillar, self.now, self.proposal = pillar, now, proposal

    class PitchJudged(Message, bubble=False):
        """The semantic pitch model's verdict on ``text`` (None: no model here, the rules alone)."""

        def __init__(self, text: str, verdict) -> None:
            super().__init__()
            self.text, self.verdict = text, verdict

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+t", "schedule", "Schedule…", priority=True),
        Binding("ctrl+b", "set_status('published')", "Published", priority=True),
        Binding("ctrl+l", "set_status('skipped')", "Skip", priority=True),
        Binding("f2", "set_status('draft')", "Draft", priority=True),
        Binding("ctrl+n", "cycle_pillar", "Pillar", priority=True),
        Binding("ctrl+g", "add_hashtags", "Add hashtags", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True),  # over TextArea's line end (End still works)
        # plain c/o would type into the text: the editor copies and opens with ctrl (ctrl+y is
        # the text area's redo)
        Binding("ctrl+r", "send('copy')", "Copy text", priority=True),
        Binding("ctrl+o", "send('open')", "Open on LinkedIn", priority=True),
        Binding("escape", "close", "Close", priority=True),
    ]

    def __init__(self, post_id: int | None) -> None:
        """``post_id`` None: a new idea, stored only when saved (Esc before that creates nothing)."""
        super().__init__()
        self.post_id = post_id
        self.context: post_service.EditorContext | None = None
        self.pillar = PILLARS[0]
        self.suggested: list[str] = []
        self.semantic: tuple[str, object] | None = None  # (text, the model's verdict on it)
        self.pitch_generation = 0  # bumped on every edit: older semantic checks are stale

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Post", classes="section-title", id="editor-title")
        with Horizontal(id="editor-main"):
            with Vertical(id="editor-left"):
                # select_on_focus off: after Tab, a typed letter goes beside the title instead of replacing it
                yield Input(
                    placeholder="Title (for you; not published)", id="editor-title-input", select_on_focus=False
                )
                yield TextArea("", id="editor-body", soft_wrap=True, show_line_numbers=False)
                yield Static("", id="editor-count")
                yield Static("", id="editor-pitch")
                yield Static("", id="editor-hashtags")
            # not focusable: Tab moves between the title and the text only, so letters typed after
            # a Tab land in a text entry, never on the app's keys (issue 14)
            with VerticalScroll(id="editor-side", can_focus=False):
                yield Static("", id="editor-meta")
                yield Static("", id="editor-entry")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Post editor"
        self.load()

    def zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.context.timezone) if self.context else self.app.tz

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-load")
    def load(self, then: Callable[[], None] | None = None) -> post_service.EditorContext:
        if self.post_id is None:
            context = self.app.store.call(post_service.new_post_context)
        else:
            context = self.app.store.call(post_service.editor_context, self.post_id)
        self.post_message(self.ContextLoaded(context, then))
        return context

    @on(ContextLoaded)
    def _loaded(self, message: ContextLoaded) -> None:
        self.show(message.context)
        if message.then is not None:
            message.then()

    def show(self, context: post_service.EditorContext) -> None:
        self.context = context
        p = context.post
        self.pillar = p.pillar
        self.query_one("#editor-title-input", Input).value = p.title
        body = self.query_one("#editor-body", TextArea)
        body.load_text(p.body)
        self.hashtags = " ".join(p.hashtags)
        self.refresh_side()
        self.analyse()
        body.focus()

    def refresh_side(self) -> None:
        p = self.context.post
        zone = self.zone()
        when = p.scheduled_at.astimezone(zone).strftime("%a %d %b %Y %H:%M") if p.scheduled_at else "not scheduled"
        meta = Text()
        meta.append(f"Post {p.id} · {p.status}\n" if p.id is not None else "New idea · not saved yet\n", style="bold")
        meta.append(label(self.pillar), style=PILLAR_STYLES.get(self.pillar, ""))
        meta.append(f" · {p.channel}\n{when}\n")
        meta.append(f"hashtags: {' '.join('#' + h for h in self.hashtags.split()) or '(none)'}\n")
        if p.evergreen:
            meta.append(f"evergreen, cooldown {p.cooldown_days} days\n")
        if p.manual:
            meta.append("placed or edited by hand: auto-plan leaves it alone\n", style="dim")
        self.query_one("#editor-meta", Static).update(meta)
        entry = Text()
        if p.entry_title or p.entry_link:
            entry.append("Linked entry\n", style="bold")
            entry.append((p.entry_title or "") + "\n")
            if p.entry_link:
                entry.append(p.entry_link + "\n", style="underline")
            if p.entry_summary:
                summary = p.entry_summary.strip()
                entry.append("\n" + (summary if len(summary) < 800 else summary[:799] + "…"), style="dim")
        else:
            entry.append("No linked entry.", style="dim")
        self.query_one("#editor-entry", Static).update(entry)
        self.query_one("#editor-title", Static).update(Text(f"Post · {p.display_title}"))

    @on(TextArea.Changed, "#editor-body")
    def body_changed(self, _event: TextArea.Changed) -> None:
        self.analyse()

    def analyse(self) -> None:
        text = self.query_one("#editor-body", TextArea).text
        self.query_one("#editor-count", Static).update(length_report(text))
        self.show_pitch(text)
        if text.strip() and _semantic_state["usable"]:
            self.pitch_generation += 1
            self.semantic_check(text, self.pitch_generation)
        keywords = self.context.keywords if self.context else []
        self.suggested = suggest_hashtags(text, keywords, self.context.trending if self.context else [])
        tags = Text("suggested hashtags: ", style="bold")
        tags.append(" ".join(self.suggested) if self.suggested else "(none yet)")
        if self.suggested:
            tags.append("  ctrl+g adds them", style="dim")
        self.query_one("#editor-hashtags", Static).update(tags)

    def show_pitch(self, text: str) -> None:
        """The phrase rules at once; the semantic model's verdict when it has judged this text."""
        verdict = self.semantic if self.semantic and self.semantic[0] == text else None
        score = pitch_score(text, semantic=verdict[1] if verdict else None)
        pitch = Text()
        pitch.append(f"pitch score {score.score:.2f}", style="bold red" if score.pitch else "bold green")
        pitch.append(" — reads like a pitch" if score.pitch else " — value first")
        for reason in score.reasons:
            pitch.append(f"\n  · {reason}", style="dim")
        if text.strip() and _semantic_state["usable"] and verdict is None:
            pitch.append("\n  semantic check running…", style="dim italic")
        elif verdict is not None and verdict[1].probability < SEMANTIC_THRESHOLD:
            pitch.append(
                f"\n  semantic check: does not read like a sales message (it counts from "
                f"{SEMANTIC_THRESHOLD:.0%} sure; this one: {verdict[1].probability:.0%})",
                style="dim",
            )
        self.query_one("#editor-pitch", Static).update(pitch)

    @work(thread=True, group="pitch-semantic", exit_on_error=False)
    def semantic_check(self, text: str, generation: int) -> None:
        """The semantic pitch model on the draft, off the UI thread, once typing pauses (the first
        run loads the model: seconds). A check whose text was edited since simply returns."""
        from planner.tui.detached import Abandoned, pause, run_detached

        if not pause(0.6) or generation != self.pitch_generation:
            return
        from planner.adapters.pitch_model import SemanticPitchModel
        from planner.errors import PlannerError
        from planner.services.keywords import make_embedder

        try:  # detached: quitting while the model loads does not wait for it
            verdict = run_detached(lambda: SemanticPitchModel(make_embedder(self.app.settings)).judge([text])[0])
        except Abandoned:
            return
        except PlannerError:
            _semantic_state["usable"] = False  # no model here: the rules alone, silently
            self.post_message(self.PitchJudged(text, None))
            return
        if generation == self.pitch_generation:
            self.post_message(self.PitchJudged(text, verdict))

    @on(PitchJudged)
    def _semantic_done(self, message: PitchJudged) -> None:
        if message.verdict is None:
            self.show_pitch(message.text)
            return
        self.semantic = (message.text, message.verdict)
        if self.is_mounted and self.query_one("#editor-body", TextArea).text == message.text:
            self.show_pitch(message.text)

    # --- state ---------------------------------------------------------------------------------

    def dirty(self) -> bool:
        if self.context is None:
            return False
        p = self.context.post
        return (
            self.query_one("#editor-title-input", Input).value != p.title
            or self.query_one("#editor-body", TextArea).text != p.body
            or self.pillar != p.pillar
            or self.hashtags.split() != p.hashtags
        )

    def action_cycle_pillar(self) -> None:
        self.pillar = PILLARS[(PILLARS.index(self.pillar) + 1) % len(PILLARS)] if self.pillar in PILLARS else PILLARS[0]
        self.refresh_side()

    def action_add_hashtags(self) -> None:
        if not self.suggested:
            self.notify("No suggestions for this text yet", severity="warning")
            return
        merged = post_service.normalize_hashtags(self.hashtags.split() + [t.lstrip("#") for t in self.suggested])
        self.hashtags = merged
        self.refresh_side()

    def action_external_editor(self) -> None:
        """The body in $EDITOR (the app suspended meanwhile); what it saved comes back into the
        editor unsaved, like typing it: ctrl+s saves, and Esc asks before dropping it."""
        from planner.tui.external_editor import EditorError, edit_text

        if self.context is None:
            return
        body = self.query_one("#editor-body", TextArea)
        try:
            edited = edit_text(self.app, body.text)
        except EditorError as exc:
            self.notify(str(exc), title="$EDITOR", severity="warning", markup=False)
            return
        if edited != body.text:
            body.replace(edited, body.document.start, body.document.end)  # one undoable edit
        body.focus()

    def action_save(self) -> None:
        if self.context is not None:
            self.save(then=None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save")
    def save(
        self, then: tuple[str, str | datetime | None] | None, after: Callable[[], None] | None = None
    ) -> post_service.PostView:
        """Save the text; then (optionally) change the status: ('status', value) or ('schedule', aware when).
        ``after`` runs on the UI thread once saved and shown (a failed save never runs it)."""
        store, now, p = self.app.store, self.app.now(), self.context.post
        title = self.app.call_from_thread(lambda: self.query_one("#editor-title-input", Input).value)
        body = self.app.call_from_thread(lambda: self.query_one("#editor-body", TextArea).text)
        view = p
        if p.id is None:  # a new idea: stored now, for the first time
            view = store.call(
                post_service.add_post, title, body=body, pillar=self.pillar, hashtags=self.hashtags, now=now
            )
            self.post_id = view.id
            p = view
        elif self.dirty_snapshot(title, body):
            view = store.call(
                post_service.save_post, p.id, title, body, self.hashtags, self.pillar, now, expected_version=p.version
            )
        message = "saved"
        if then is not None:
            action, value = then
            if action == "schedule":
                when = value
                view = store.call(post_service.schedule_post, p.id, when, now, expected_version=view.version)
                message = f"scheduled {when.astimezone(self.zone()):%a %d %b %H:%M}"
            elif value == PostStatus.PUBLISHED.value:
                view = store.call(post_service.publish_post, p.id, now, expected_version=view.version)
                message = "marked published"
            else:
                view = store.call(post_service.set_status, p.id, value, now, expected_version=view.version)
                message = f"now {view.status}"
        self.app.call_from_thread(self.app.notify, message, markup=False)
        self.app.call_from_thread(self.load, after)
        return view

    def dirty_snapshot(self, title: str, body: str) -> bool:
        p = self.context.post
        return title != p.title or body != p.body or self.pillar != p.pillar or self.hashtags.split() != p.hashtags

    def action_set_status(self, status: str) -> None:
        if self.context is None:
            return
        if not post_service.can_transition(self.context.post, status) and status != PostStatus.PUBLISHED.value:
            self.notify(f"a {self.context.post.status} post cannot become {status}", severity="warning", markup=False)
            return
        self.save(then=("status", status))

    def action_schedule(self) -> None:
        if self.context is not None:
            self.propose_slot(self.pillar, self.context.post.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-slot")
    def propose_slot(self, pillar: str, post_id: int | None) -> None:
        """The next free slot for the pillar, proposed by the schedule dialog (which opens with it)."""
        from planner.services.slots import next_post_slot

        now = self.app.now()
        self.post_message(
            self.SlotProposed(pillar, now, self.app.store.call(next_post_slot, pillar, now, ignore_post=post_id))
        )

    @on(SlotProposed)
    def ask_when(self, message: SlotProposed) -> None:
        if self.context is None:
            return
        p = self.context.post
        current = p.scheduled_at.astimezone(self.zone()).strftime("%Y-%m-%d %H:%M") if p.scheduled_at else ""

        def chosen(value: datetime | None) -> None:
            if value is not None:
                self.save(then=("schedule", value))

        self.app.push_screen(
            ScheduleDialog(current, self.zone(), message.now, message.proposal, message.pillar), chosen
        )

    def action_send(self, how: str) -> None:
        if self.context is None:
            return
        if self.dirty():
            self.notify("Save first (ctrl+s): what goes out is the saved text", severity="warning")
            return
        from planner.tui import send

        send.start(self, how, "post", self.context.post.id, then=self.load)

    def action_close(self) -> None:
        self.app.leave_safely(self._close, screens=[self])

    def _close(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    # --- unsaved work (modals.unsaved.HoldsEdits) -----------------------------------------------

    def unsaved_changes(self) -> str | None:
        if not self.is_mounted or not self.dirty():
            return None
        p = self.context.post
        return "this new idea" if p.id is None else f"the post “{p.display_title}”"

    def save_then(self, then: Callable[[], None]) -> None:
        self.save(then=None, after=then)

    def discard_edits(self) -> None:
        if self.context is not None:
            self.show(self.context)  # back to what is stored
