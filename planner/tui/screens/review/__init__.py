"""Review: the weekly ritual in five steps, each actionable where it stands.

1 Last week — mark a missed item as happened, carry it forward or drop it.
2 Network — who is going cold and who is new; accept or adjust the suggested action.
3 Discover — what is rising in your topics; share an entry or write about it (→ post ideas).
4 Next week — run the auto-plan, move what does not fit.
5 Export — write the week's calendar (ICS, CSV, Markdown) and the review report to a folder.

Finishing (f, or n on the last step) saves the review with the decisions made.

The package: ``screen`` (ReviewScreen: reading, the step shown, the decisions, finishing) and one
module per step, each a widget with its own keys (``step`` holds what they share).
"""

from planner.tui.screens.review.screen import ReviewScreen
from planner.tui.screens.review.step import PAGE

__all__ = ["PAGE", "ReviewScreen"]
