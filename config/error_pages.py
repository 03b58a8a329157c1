"""What a person or a program sees when Pulse fails: handler500 for every address.

Django's own 500 is a bare "Server Error (500)" in HTML, on the JSON API too, and says nothing
a person can act on. This handler answers in the page's own style: on an answer page, that
nothing was recorded and the link still works; elsewhere, a calm general page; under /api/,
the API's error body (config.api_errors) with code `server_error`.

It runs after something already failed, often the database: it reads no session, no user and
nothing from the database, and renders its templates without the request.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve

# The two addresses of the answer flow (pulse.page_urls, pulse.urls): their visitors hold a
# one-time link and need to know whether it is still good.
ANSWER_PAGE = "answer"
ANSWER_API = "pulse-answer"

ANSWER_MESSAGE = (
    "Something went wrong on our side and your answers were not recorded. Your link still "
    "works: please try again in a minute."
)
GENERAL_MESSAGE = (
    "Something went wrong on our side and the request did not complete. Please try again in "
    "a minute; if it keeps failing, tell whoever runs Pulse for you."
)


def route_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (config.urls)."""
    route = route_name(request)
    answering = route in (ANSWER_PAGE, ANSWER_API)
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        message = ANSWER_MESSAGE if answering else GENERAL_MESSAGE
        response = JsonResponse(
            {"code": "server_error", "message": message, "fields": {}}, status=500
        )
    elif answering:
        # The form lives at the link's own address: opening it again is trying again.
        page = loader.render_to_string("pulse/answer_error.html", {"again": request.path})
        response = HttpResponse(page, status=500)
    else:
        response = HttpResponse(loader.render_to_string("500.html"), status=500)
    if answering:
        # As pulse.answer_views.private_answer_page: the address is a secret.
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
