"""The answer page behind the emailed link."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.redemption import look_up_token


def answer_page(request: HttpRequest, token: str) -> HttpResponse:
    lookup = look_up_token(token)
    return render(request, "pulse/answer.html", {"lookup": lookup})
