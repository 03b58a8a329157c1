"""The answer page behind the emailed link, and the same flow as JSON.

These views read nothing of the visitor: no session, no user, no cookie (CSRF included: the
unguessable link is the capability, and a CSRF cookie would be a cookie). A logged-in manager
answering their own team's survey therefore sends nothing that ties the answer to the login.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pulse.abuse import count_unknown_link, is_throttled
from pulse.answer_forms import COMMENT_FIELD, ENPS_FIELD, AnswerForm
from pulse.answer_sheet import InvalidAnswers
from pulse.ballot_box import cast_answers
from surveys.redemption import TokenNotRedeemable, TokenStatus, look_up_token

CALM_PAGES = {
    TokenStatus.UNKNOWN: (404, "pulse/link_unknown.html"),
    TokenStatus.USED: (410, "pulse/link_used.html"),
    TokenStatus.CLOSED: (410, "pulse/link_closed.html"),
}


def private_answer_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Headers for pages whose address is a secret: no referrer, no caching, no indexing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


@csrf_exempt
@require_http_methods(["GET", "POST"])
@private_answer_page
def answer_page(request: HttpRequest, token: str) -> HttpResponse:
    if is_throttled(request):
        return render(request, "pulse/slow_down.html", status=429)
    lookup = look_up_token(token)
    if lookup.status == TokenStatus.UNKNOWN:
        count_unknown_link(request)
    if lookup.status != TokenStatus.VALID:
        return calm_page(request, lookup.status, lookup)
    items = lookup.items
    cycle = lookup.cycle
    if request.method == "GET":
        form = AnswerForm(items=items)
    else:
        form = AnswerForm(request.POST, items=items)
        if form.is_valid():
            try:
                cast_answers(
                    token=token,
                    answers=form.answers(),
                    enps=form.cleaned_data[ENPS_FIELD],
                    comment=form.cleaned_data[COMMENT_FIELD],
                )
            except InvalidAnswers as invalid:
                for field, message in invalid.errors.items():
                    form.add_error(None, f"{field}: {message}")
            except TokenNotRedeemable as refused:
                return calm_page(request, refused.status, lookup)
            else:
                return render(request, "pulse/thanks.html", {"cycle": cycle})
    status = 400 if form.errors else 200
    return render(request, "pulse/answer.html", {"form": form, "cycle": cycle}, status=status)


def calm_page(request: HttpRequest, status: str, lookup: object) -> HttpResponse:
    code, template = CALM_PAGES[status]
    # An unknown link learns nothing, not even which survey it might have been.
    cycle = None if status == TokenStatus.UNKNOWN else getattr(lookup, "cycle", None)
    return render(request, template, {"cycle": cycle}, status=code)


@private_answer_page
def anonymity_page(request: HttpRequest) -> HttpResponse:
    from pulse.anonymity_doc import anonymity_html

    return render(request, "pulse/anonymity.html", {"body": anonymity_html()})
