"""What a person sees when a page is not there or not theirs: handler403 and handler404, and the
same pages under DEBUG for the addresses people open.

DEBUG is the default for scripts/run, where Django would show its technical 404 (the URL
patterns, the settings' name) to a manager who mistyped an address or followed an old link. So
under DEBUG the middleware here answers with the product's page for every address but the
admin's and the API's (the API answers JSON either way: config.api_errors), and the developer's
technical page stays where developers work.

A 404 also stands for "not yours to see": the dashboards answer 404 for units outside the
viewer's scope, so the page never says which of the two it was.
"""

from collections.abc import Callable

from csp.constants import HEADER as POLICY_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve

from teams.roles import is_hr

# Addresses where the technical page is kept under DEBUG (developers' tools) or where the
# product's own JSON answers (the API).
DEVELOPER_PREFIXES = ("/admin/", "/api/")
# The answer flow's addresses: their visitors hold a one-time link and have no login; the page
# carries no navigation and, as the answer page, sends no referrer.
ANSWER_PREFIX = "/a/"

NOT_FOUND_MESSAGE = "There is nothing at this address, or it is not yours to see."
FORBIDDEN_MESSAGE = "You do not have permission to do this."


def refusal(request: HttpRequest, *, status: int, template: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        code = "not_found" if status == 404 else "permission_denied"
        return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    if request.path_info.startswith(ANSWER_PREFIX):
        # Rendered without the request: no session is read, so no login cookie is touched.
        response = HttpResponse(
            loader.render_to_string(template, {"answering": True}), status=status
        )
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response
    context = {"viewer_is_hr": is_hr(request.user)}
    return render(request, template, context, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 (config.urls)."""
    response = refusal(request, status=404, template="404.html", message=NOT_FOUND_MESSAGE)
    if settings.DEBUG:
        # django-csp leaves every 404 alone under DEBUG, taking it for Django's technical page
        # (which has inline code); this one is the product's and keeps the strict policy.
        response[POLICY_HEADER] = build_policy()
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403 (config.urls)."""
    return refusal(request, status=403, template="403.html", message=FORBIDDEN_MESSAGE)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page left open too long, or with cookies off."""
    context = {"viewer_is_hr": is_hr(request.user), "form_expired": True}
    return render(request, "403.html", context, status=403)


def shows_product_pages_under_debug(path: str) -> bool:
    return not path.startswith(DEVELOPER_PREFIXES)


class ProductNotFoundUnderDebug:
    """Under DEBUG, the product's 404 instead of Django's technical one on people's pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG and shows_product_pages_under_debug(request.path_info):
            try:
                resolve(request.path_info)
            except Resolver404:
                # An address one slash short is redirected by CommonMiddleware, earlier.
                return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if (
            settings.DEBUG
            and isinstance(exception, Http404)
            and shows_product_pages_under_debug(request.path_info)
        ):
            return page_not_found(request)
        return None
