"""How far an org import has got, told to whoever watches it (the job's page and API, the
command's terminal): rows read from the file, rows checked, rows applied, each out of a total."""

from collections.abc import Callable
from typing import Literal

Stage = Literal["read", "checked", "applied"]
STAGES: tuple[Stage, ...] = ("read", "checked", "applied")
# Called with (stage, rows done, rows in all); a stage reports every REPORT_EVERY rows and once
# more at its end, so a million rows cost a few hundred calls, not a million.
Progress = Callable[[Stage, int, int], None]
REPORT_EVERY = 5000


def no_progress(stage: Stage, done: int, total: int) -> None:
    """Nobody is watching."""
