"""The top bar: the six sections with the digit that opens each, the current one marked, and what a
pushed screen (the post editor) is on top of it. Clicking a section opens it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class SectionBar(Static):
    DEFAULT_CSS = """
    SectionBar {
        dock: top;
        width: 1fr;
        height: 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        # the screen sets its sub_title in its own on_mount, after this one
        self.watch(self.screen, "sub_title", lambda _title: self.update(self.bar()))

    def bar(self) -> Content:
        app, screen = self.app, self.screen
        current = app.current_mode
        parts: list[Content] = []
        for section in app.sections:
            label = f" {section.key} {section.title} "
            if section.mode == current:
                parts.append(Content.styled(label, "bold reverse"))
            else:
                # our own titles and mode names: safe as markup
                parts.append(Content.from_markup(f"[@click=app.switch_section('{section.mode}')]{label}[/]"))
        title = next((s.title for s in app.sections if s.mode == current), None)
        extra = screen.sub_title
        if extra and extra != title:  # a screen pushed over the section, e.g. the post editor
            parts.append(Content.styled(f" › {extra}", "bold"))
        bar = Content("").join(parts)
        if self.size.width >= bar.cell_length + 9:  # the app's name when there is room for it
            bar = Content.styled(" planner ", "bold") + bar
        return bar

    def on_resize(self) -> None:
        self.update(self.bar())
