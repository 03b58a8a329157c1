"""The answer flow as JSON: GET /api/v1/pulse/{token} lists the questions, POST answers them.

Unauthenticated on purpose: no session or login is read, so nothing ties an answer to one.
"""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pulse.abuse import count_unknown_link, is_throttled
from pulse.answer_sheet import InvalidAnswers
from pulse.ballot_box import cast_answers
from surveys.instrument import COMMENT_PROMPT, ENPS_QUESTION, SCALE_LABELS
from surveys.redemption import TokenLookup, TokenNotRedeemable, TokenStatus, look_up_token

GONE = {
    TokenStatus.USED: "This survey link has already been used.",
    TokenStatus.CLOSED: "This survey has closed.",
}
UNKNOWN = "This survey link is not recognised."


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class SurveySerializer(serializers.Serializer):
    questions = QuestionSerializer(many=True)
    scale = serializers.DictField(child=serializers.CharField())
    enps_question = serializers.CharField()
    comment_prompt = serializers.CharField()
    k = serializers.IntegerField(help_text="Results are shown only for groups this large.")
    k_comment = serializers.IntegerField()
    closes_at = serializers.DateTimeField()


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text="Question key → 1 (strongly disagree) … 7 (strongly agree); omit to skip.",
    )
    enps = serializers.IntegerField(allow_null=True, required=False, min_value=0, max_value=10)
    comment = serializers.CharField(allow_blank=True, required=False, trim_whitespace=True)


MESSAGE = inline_serializer("PulseMessage", {"detail": serializers.CharField()})


class PulseView(APIView):
    parser_classes = [JSONParser]
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="The questions behind an answer link (does not use the link up)",
        responses={200: SurveySerializer, 404: MESSAGE, 410: MESSAGE, 429: MESSAGE},
    )
    def get(self, request: Request, token: str) -> Response:
        lookup, refused = checked_lookup(request, token)
        if refused:
            return refused
        cycle = lookup.cycle
        return private(
            Response(
                SurveySerializer(
                    {
                        "questions": [{"key": i.key, "text": i.text} for i in lookup.items],
                        "scale": {str(value): label for value, label in SCALE_LABELS.items()},
                        "enps_question": ENPS_QUESTION,
                        "comment_prompt": COMMENT_PROMPT,
                        "k": cycle.k,
                        "k_comment": cycle.k_comment,
                        "closes_at": cycle.closes_at,
                    }
                ).data
            )
        )

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Every respondent's answer is a POST: it is served without DRF's request and response
        # wrapping, content negotiation and rendering, which cost as much as the rest of the
        # answer path together (docs/benchmarks.md). GET and OPTIONS go through DRF.
        if request.method == "POST":
            return answer(request, str(kwargs["token"]))
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        summary="Answer, once",
        request=AnswersSerializer,
        responses={
            201: MESSAGE,
            400: OpenApiResponse(description="Field errors; nothing was stored."),
            404: MESSAGE,
            410: MESSAGE,
            415: MESSAGE,
            429: MESSAGE,
        },
    )
    def post(self, request: Request, token: str) -> HttpResponse:
        """Describes the operation for the schema; dispatch() serves it with answer()."""
        return answer(request._request, token)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    if is_throttled(request):
        return too_many_unknown_links()
    if request.content_type != "application/json":
        return message("Send the answers as application/json.", 415)
    try:
        body = json.loads(request.body)
    except ValueError as error:
        return message(f"The body is not valid JSON: {error}.", 400)
    if not isinstance(body, dict):
        # Says nothing about the link: a malformed body is refused before it is looked up.
        return message("Send a JSON object with answers, enps and comment.", 400)
    # No look-up first: cast_answers redeems the link in one statement, then checks the answers
    # against its cycle's questions (invalid answers roll that back and leave the link unused).
    try:
        cast_answers(
            token=token,
            answers=body.get("answers", {}),
            enps=body.get("enps"),
            comment=body.get("comment", ""),
        )
    except InvalidAnswers as invalid:
        return private(JsonResponse(invalid.errors, status=400))
    except TokenNotRedeemable as refused:
        if refused.status == TokenStatus.UNKNOWN:
            count_unknown_link(request)
        return refusal(refused.status)
    return message("Thank you: your answers are in.", 201)


def checked_lookup(request: Request, token: str) -> tuple[TokenLookup, HttpResponse | None]:
    if is_throttled(request):
        return TokenLookup(TokenStatus.UNKNOWN), too_many_unknown_links()
    lookup = look_up_token(token)
    if lookup.status == TokenStatus.UNKNOWN:
        count_unknown_link(request)
    if lookup.status != TokenStatus.VALID:
        return lookup, refusal(lookup.status)
    return lookup, None


def too_many_unknown_links() -> HttpResponse:
    return message("Too many unknown links from here; please try again later.", 429)


def refusal(token_status: str) -> HttpResponse:
    if token_status == TokenStatus.UNKNOWN:
        return message(UNKNOWN, 404)
    return message(GONE[token_status], 410)


def message(detail: str, status: int) -> HttpResponse:
    return private(JsonResponse({"detail": detail}, status=status))


def private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
