"""A Tree whose labels end with "…" when the pane is narrower than them (Textual's Tree cuts them
at the edge, mid-word, and scrolls sideways), so a narrowed Discover pane still names each feed."""

from __future__ import annotations

from planner.tui.widgets.lists import PlannerTree


class FitTree(PlannerTree):
    def render_label(self, node, base_style, style):
        text = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        indent = (depth if self.show_root else max(0, depth - 1)) * self.guide_depth
        room = self.scrollable_content_region.width - indent
        if room > 1 and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        return text

    def on_resize(self) -> None:
        self._invalidate()  # labels are cut to the width: draw them again
