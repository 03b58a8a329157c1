"""The development outbox: the emails the file backend wrote, with clickable links.

It answers 404 unless DEBUG is on: in production the outbox would hold live answer links.
Django's file backend writes one file per connection, i.e. per sending batch, with messages
separated by a line of 79 dashes.
"""

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

SEPARATOR = "-" * 79
MAX_SHOWN = 200


@dataclass(frozen=True)
class OutboxMessage:
    to: str
    subject: str
    date: str
    body: str


def read_outbox(folder: Path, limit: int = MAX_SHOWN) -> list[OutboxMessage]:
    files = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True)
    found: list[OutboxMessage] = []
    for path in files:
        chunks = path.read_text(errors="replace").split("\n" + SEPARATOR + "\n")
        for chunk in reversed(chunks):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.strip(), policy=email.policy.default)
            plain = message.get_body(preferencelist=("plain",))
            found.append(
                OutboxMessage(
                    to=str(message["To"] or ""),
                    subject=str(message["Subject"] or ""),
                    date=str(message["Date"] or ""),
                    body=plain.get_content() if plain else "",
                )
            )
            if len(found) >= limit:
                return found
    return found


def outbox_page(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("The outbox exists in development only.")
    folder = Path(settings.EMAIL_FILE_PATH)
    messages = read_outbox(folder) if folder.is_dir() else []
    return render(
        request,
        "surveys/outbox.html",
        {"messages": messages, "folder": folder, "limit": MAX_SHOWN},
    )
