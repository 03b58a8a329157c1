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
from pulse.answer_forms import AnswerForm
from pulse.answer_sheet import InvalidAnswers
from pulse.ballot_box import cast_answers
from surveys.redemption import LinkRefused, LinkStatus, Survey, look_up

CALM_PAGES = {
    LinkStatus.UNKNOWN: (404, "pulse/link_unknown.html"),
    LinkStatus.USED: (410, "pulse/link_used.html"),
    LinkStatus.CLOSED: (410, "pulse/link_closed.html"),
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
    link = look_up(token)
    if link.status == LinkStatus.UNKNOWN:
        count_unknown_link(request)
    if link.status != LinkStatus.VALID or link.survey is None:
        return calm_page(request, link.status, link.survey)
    survey = link.survey
    if request.method == "GET":
        form = AnswerForm(items=survey.questions)
    else:
        form = AnswerForm(request.POST, items=survey.questions)
        if form.is_valid():
            try:
                cast_answers(token=token, data=form.answer_data())
            except InvalidAnswers as invalid:
                for field, messages in invalid.errors.items():
                    for message in messages:
                        form.add_error(None, f"{field}: {message}")
            except LinkRefused as refused:
                return calm_page(request, refused.status, survey)
            else:
                return render(request, "pulse/thanks.html", {"survey": survey})
    status = 400 if form.errors else 200
    return render(request, "pulse/answer.html", {"form": form, "survey": survey}, status=status)


def calm_page(request: HttpRequest, status: LinkStatus, survey: Survey | None) -> HttpResponse:
    code, template = CALM_PAGES[status]
    # An unknown link learns nothing, not even which survey it might have been.
    shown = None if status == LinkStatus.UNKNOWN else survey
    return render(request, template, {"survey": shown}, status=code)


@private_answer_page
def anonymity_page(request: HttpRequest) -> HttpResponse:
    from pulse.anonymity_doc import anonymity_html

    return render(request, "pulse/anonymity.html", {"body": anonymity_html()})
