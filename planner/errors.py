"""Errors meant for people: the CLI prints them as one line, the TUI as a notification."""


class PlannerError(Exception):
    """A problem the user can fix (bad path, bad URL, unreadable file, ambiguous name)."""


class ConflictError(PlannerError):
    """Someone else changed the row since it was read (optimistic concurrency)."""


class FieldError(PlannerError):
    """A value of one named field is invalid: a form marks that field with the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason
