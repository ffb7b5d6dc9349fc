"""Errors meant for people: the CLI prints them as one line, the TUI as a notification."""


class PlannerError(Exception):
    """A problem the user can fix (bad path, bad URL, unreadable file, ambiguous name)."""


class ConflictError(PlannerError):
    """Someone else changed the row since it was read (optimistic concurrency)."""
