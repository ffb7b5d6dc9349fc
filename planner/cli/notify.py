"""`planner notify`: reminders from cron, like newsboat's notify-program.

Each item that became due since the last run is handed, once, to the command of config.toml's
``[notify]`` table: the item as JSON on standard input and as ``PLANNER_*`` environment variables.
A string runs through ``/bin/sh -c`` (as cron runs its lines), a list runs as the program and its
arguments. Without a command, the items are printed, one line each.

    [notify]
    command = 'notify-send "planner" "$PLANNER_MESSAGE"'
"""

from __future__ import annotations

import json as jsonlib
import os
import subprocess
from datetime import UTC, datetime

import typer

from planner.cli.common import err_console, print_json, say, state
from planner.errors import PlannerError

COMMAND_TIMEOUT_S = 60


def _now() -> datetime:
    return datetime.now(UTC)


def notify_command(settings) -> str | list[str] | None:
    section = settings.extra.get("notify")
    if section is None:
        return None
    where = f"config {settings.config_path}: [notify] command"
    if not isinstance(section, dict):
        raise PlannerError(f"config {settings.config_path}: notify must be a table ([notify]), not a value")
    command = section.get("command")
    if command is None or command == "" or command == []:
        return None
    if isinstance(command, str):
        return command
    if isinstance(command, list) and all(isinstance(part, str) for part in command):
        return command
    raise PlannerError(
        f"{where} must be a string (run by the shell) or a list of strings (a program and its arguments)"
    )


def _run(command: str | list[str], payload: str, env: dict[str, str]) -> str | None:
    """None when the command succeeded, else why it did not."""
    try:
        done = subprocess.run(
            command,
            shell=isinstance(command, str),
            input=payload,
            text=True,
            env={**os.environ, **env},
            check=False,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_S,
        )
    except FileNotFoundError:
        return f"no such program: {command[0] if isinstance(command, list) else command}"
    except subprocess.TimeoutExpired:
        return f"still running after {COMMAND_TIMEOUT_S} s; stopped"
    except OSError as exc:
        return exc.strerror or str(exc)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        return f"exit status {done.returncode}" + (f": {detail[-1]}" if detail else "")
    return None


def notify(
    ctx: typer.Context,
    json: bool = typer.Option(False, "--json", help="Without a command: print the new items as JSON."),
) -> None:
    """Remind of what became due since the last run (for cron): each item once, to [notify] command."""
    from planner.services import notify as notify_service
    from planner.services.timeutil import user_timezone

    st = state(ctx)
    command = notify_command(st.settings)
    store, now = st.store, _now()
    tz = store.call(user_timezone, st.settings.timezone)
    notices = notify_service.claim_new(store, now, tz)  # claimed before any command runs: a second run skips them
    failed = []
    if command is None:
        if json:
            print_json([n.as_json(tz) for n in notices])
        else:
            for n in notices:
                say(n.message(tz))
    else:
        for n in notices:
            data = n.as_json(tz)
            problem = _run(command, jsonlib.dumps(data, ensure_ascii=False) + "\n", n.environment(tz))
            if problem is not None:
                failed.append(n)
                err_console.print(
                    f"planner: notify command failed for {n.message(tz)}: {problem}",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
    with store.transaction() as session:
        if failed:
            notify_service.release(session, failed)  # handed out again next run; the cursor stays
        else:
            notify_service.finish_run(session, now)
    if failed:
        raise typer.Exit(1)
