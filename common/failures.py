"""Logging a contained failure by ids only.

A scheduler pass works through many cycles and units; one that fails is logged and skipped, and
the rest go on (it is tried again at the next pass). The log line names the stage, the ids,
the exception's type and where it was raised, and nothing else: an exception's message, and a
traceback that prints it, can quote the values the failing statement carried, such as a
comment waiting to be stored or an email address. The frames (file, line, function) are code,
never data.
"""

import logging
import traceback
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def where_raised(error: BaseException) -> str:
    """The innermost frame, and the innermost frame of the project's own code if it differs."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "an unknown place"
    own = [frame for frame in frames if is_own_code(frame.filename)]
    shown = [frames[-1]] if not own or own[-1] is frames[-1] else [frames[-1], own[-1]]
    return " from ".join(
        f"{display_path(frame.filename)}:{frame.lineno} in {frame.name}" for frame in shown
    )


def is_own_code(filename: str) -> bool:
    # A virtualenv inside the checkout holds other people's code.
    path = Path(filename)
    return path.is_relative_to(PROJECT_DIR) and "site-packages" not in path.parts


def display_path(filename: str) -> str:
    path = Path(filename)
    return str(path.relative_to(PROJECT_DIR)) if is_own_code(filename) else path.name


def log_failure(
    logger: logging.Logger, *, stage: str, error: BaseException, **ids: int | None
) -> None:
    """Log that `stage` failed for the objects in `ids`: no message, no traceback, unless the
    exception's class says its message is the project's own fixed advice (`message_is_advice`)."""
    named = "".join(f" {name} {value}" for name, value in ids.items())
    advice = f" ({error})" if getattr(type(error), "message_is_advice", False) else ""
    logger.error(
        "%s failed%s: %s%s raised at %s; tried again at the next pass",
        stage,
        f" for{named}" if named else "",
        type(error).__name__,
        advice,
        where_raised(error),
    )
