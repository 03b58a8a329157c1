"""docs/anonymity.md, rendered once per process for the page linked from every survey."""

from functools import cache
from pathlib import Path

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "anonymity.md"


@cache
def anonymity_html() -> SafeString:
    # The document is part of the code base, not user input: its HTML is trusted.
    return mark_safe(markdown.markdown(DOCUMENT.read_text(), extensions=["tables"]))  # noqa: S308
