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

from pulse.abuse import refuse_unknown_link
from pulse.answer_forms import answer_form, sent_answers
from pulse.answer_sheet import InvalidAnswers, NothingAnswered
from pulse.ballot_box import cast_answers
from surveys.instrument import how_long
from surveys.redemption import LinkRefused, LinkStatus, Survey, look_up

# Posted by the "Send anyway" button of the question an empty form is met with.
SEND_ANYWAY_FIELD = "send_anyway"

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
def answer_page(request: HttpRequest, token: str, cycle: str | None = None) -> HttpResponse:
    """`cycle`: the cycle's public id, which links carry beside the token since it was added
    (surveys.redemption); older links have none."""
    if request.method == "POST":
        return send_answers(request, token, cycle)
    link = look_up(token, cycle_public_id=cycle)
    if link.status == LinkStatus.UNKNOWN and refuse_unknown_link(request):
        return slow_down_page(request)
    if link.status != LinkStatus.VALID or link.survey is None:
        return calm_page(request, link.status, link.survey)
    return render(request, "pulse/answer.html", form_context(link.survey))


def form_context(survey: Survey, **extra: object) -> dict[str, object]:
    sent = extra.pop("sent", None)
    form = answer_form(survey.questions, sent if isinstance(sent, dict) else None)
    # The items and eNPS, as the email counts them; the comment is optional and not counted.
    question_count = len(survey.questions) + 1
    return {
        "form": form,
        "survey": survey,
        "errors": [],
        "question_count": question_count,
        "how_long": how_long(question_count),
        **extra,
    }


def send_answers(request: HttpRequest, token: str, cycle: str | None) -> HttpResponse:
    """The form's POST: straight to the door, as the JSON API does; the link is looked up
    again only to explain a refusal or to show the form again with what was sent."""
    sent = sent_answers(request.POST)
    try:
        survey = cast_answers(token=token, data=sent, cycle_public_id=cycle)
    except LinkRefused as refused:
        if refused.status == LinkStatus.UNKNOWN and refuse_unknown_link(request):
            return slow_down_page(request)
        return calm_page(request, refused.status, refused.survey)
    except InvalidAnswers as invalid:
        # Still usable: invalid answers rolled the redemption back, an empty sheet wrote nothing.
        link = look_up(token, cycle_public_id=cycle)
        if link.status != LinkStatus.VALID or link.survey is None:
            return calm_page(request, link.status, link.survey)
        if isinstance(invalid, NothingAnswered):
            if SEND_ANYWAY_FIELD in request.POST:
                # Nothing recorded, nothing used: the link still works until close.
                return render(request, "pulse/nothing_recorded.html", {"survey": link.survey})
            context = form_context(link.survey, nothing_answered=True)
            return render(request, "pulse/answer.html", context)
        context = form_context(
            link.survey, sent=sent, errors=readable_errors(invalid.errors, link.survey)
        )
        return render(request, "pulse/answer.html", context, status=400)
    return render(request, "pulse/thanks.html", {"survey": survey})


def readable_errors(errors: dict, survey: Survey) -> list[str]:
    """Each problem under the question's words rather than its key."""
    label = {question.key: question.text for question in survey.questions}
    label |= {"enps": "How likely you are to recommend this team", "comment": "Your comment"}
    return [
        f"{label.get(field, field)}: {message}"
        for field, messages in errors.items()
        for message in messages
    ]


def slow_down_page(request: HttpRequest) -> HttpResponse:
    # Only ever for an unknown link: a valid one is answered whoever else shares the address.
    return render(request, "pulse/slow_down.html", status=429)


def calm_page(request: HttpRequest, status: LinkStatus, survey: Survey | None) -> HttpResponse:
    code, template = CALM_PAGES[status]
    # An unknown link learns nothing, not even which survey it might have been.
    shown = None if status == LinkStatus.UNKNOWN else survey
    return render(request, template, {"survey": shown}, status=code)


@private_answer_page
def anonymity_page(request: HttpRequest) -> HttpResponse:
    from pulse.anonymity_doc import anonymity_html

    return render(request, "pulse/anonymity.html", {"body": anonymity_html()})
