"""The problems of an org file, as the import reports them: each at a line and column, all
counted, the first MAX_REPORTED by line kept (a broken export can have a problem on every one
of a million lines, and a million messages help nobody and cost memory)."""

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

# Problems listed in full; the rest are counted.
MAX_REPORTED = 100
# A value quoted back in a message is cut to this many characters.
QUOTED_CHARACTERS = 40


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def position(error: RowError) -> tuple[int, str]:
    return error.line, error.column or ""


class ProblemLog:
    """Every problem found, counted; only the first MAX_REPORTED by position are kept, so a
    file with a problem on each line costs no more memory than one with a hundred."""

    def __init__(self, problems: Iterable[RowError] = ()) -> None:
        self.count = 0
        self.first: list[RowError] = []
        self.extend(problems)

    def add(self, problem: RowError) -> None:
        self.count += 1
        full = len(self.first) >= MAX_REPORTED
        if full and position(problem) >= position(self.first[-1]):
            return  # later than every kept one (ties keep the one found first)
        bisect.insort_right(self.first, problem, key=position)
        del self.first[MAX_REPORTED:]

    def extend(self, problems: Iterable[RowError]) -> None:
        for problem in problems:
            self.add(problem)


class RowsInvalid(Exception):
    """A file refused whole. `errors`: the first MAX_REPORTED problems, by line; `count`: how
    many there are. Each kind of file names itself in `what`."""

    what = "the file"

    def __init__(self, problems: ProblemLog | Iterable[RowError]) -> None:
        log = problems if isinstance(problems, ProblemLog) else ProblemLog(problems)
        super().__init__(f"{log.count} problem(s) in {self.what}")
        self.errors = log.first
        self.count = log.count

    @property
    def summary(self) -> str:
        return problem_summary(self.count, listed=len(self.errors))


def problem_summary(count: int, *, listed: int) -> str:
    """How many problems, and how many of them are listed."""
    if count == 1:
        return "1 problem"
    if count > listed:
        return f"{count:,} problems (the first {listed} are listed)"
    return f"{count:,} problems"


class OrgFileInvalid(RowsInvalid):
    what = "the org file"


class OrgFileTooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size
        limit = settings.PULSE_ORG_FILE_MAX_BYTES
        super().__init__(
            f"The org file is {size:,} bytes; the import reads at most {limit:,} "
            f"(PULSE_ORG_FILE_MAX_BYTES). Check that it is the right file; an organisation "
            "that really needs a larger one can raise that setting."
        )

    def __reduce__(self) -> tuple[type["OrgFileTooLarge"], tuple[int]]:
        # Made again from the size, not the message, when it crosses a process boundary.
        return (type(self), (self.size,))


def check_size(size: int) -> None:
    """Refuse a file over PULSE_ORG_FILE_MAX_BYTES before it is read."""
    if size > settings.PULSE_ORG_FILE_MAX_BYTES:
        raise OrgFileTooLarge(size)


def shortened(value: str) -> str:
    """`value` cut for a message, so a huge value cannot make a huge message."""
    return value[:QUOTED_CHARACTERS] + "…" if len(value) > QUOTED_CHARACTERS else value


def quoted(value: str) -> str:
    return f'"{shortened(value)}"'
