"""The answer flow as JSON: GET /api/v1/pulse/{token} lists the questions, POST answers them.

Unauthenticated on purpose: no session or login is read, so nothing ties an answer to one.
What a POST may contain is defined once, by pulse.answer_sheet.AnswerSheetSerializer.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_exceptions import Gone
from common.parsers import BoundedJSONParser
from pulse.abuse import refuse_unknown_link
from pulse.answer_sheet import (
    NOTHING_ANSWERED,
    AnswerSheetSerializer,
    InvalidAnswers,
    NothingAnswered,
)
from pulse.ballot_box import cast_answers
from surveys.instrument import COMMENT_PROMPT, ENPS_QUESTION, SCALE_LABELS
from surveys.redemption import LinkRefused, LinkStatus, Survey, look_up

REFUSALS: dict[LinkStatus, tuple[type[APIException], str, str]] = {
    LinkStatus.UNKNOWN: (NotFound, "This survey link is not recognised.", "link_unknown"),
    LinkStatus.USED: (Gone, "This survey link has already been used.", "link_used"),
    LinkStatus.CLOSED: (Gone, "This survey has closed.", "survey_closed"),
}
TOO_MANY = "Too many unknown links from here; please try again later."


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class ShownCommitmentSerializer(serializers.Serializer):
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=["planned", "doing", "done", "dropped"])
    due_on = serializers.DateField(allow_null=True)


class ShownFocusSerializer(serializers.Serializer):
    """The focus as the team sees it above the questions (not the manager's editable one)."""

    domain = serializers.CharField(help_text="The domain the team chose to work on.")
    domain_label = serializers.CharField()
    commitments = ShownCommitmentSerializer(many=True, help_text="What the manager committed to.")
    note = serializers.CharField(allow_blank=True, help_text='The optional "you said, we did".')


class SurveySerializer(serializers.Serializer):
    focus = ShownFocusSerializer(
        allow_null=True,
        help_text="What the team chose to work on last time, shown above the questions; null "
        "where no focus was shared. Where set, the questions include follow_through.",
    )
    questions = QuestionSerializer(many=True)
    scale = serializers.DictField(child=serializers.CharField())
    enps_question = serializers.CharField()
    comment_prompt = serializers.CharField()
    k = serializers.IntegerField(help_text="Results are shown only for groups this large.")
    k_comment = serializers.IntegerField()
    closes_at = serializers.DateTimeField()


MESSAGE = inline_serializer("PulseMessage", {"detail": serializers.CharField()})


class PulseView(APIView):
    parser_classes = [BoundedJSONParser]
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Link guessing is throttled per client in refusal() (pulse.abuse): only unknown links
    # count, and only an unknown link is refused.
    throttle_classes: list = []

    def finalize_response(
        self, request: Request, response: Response, *args: object, **kwargs: object
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="The questions behind an answer link (does not use the link up)",
        responses={200: SurveySerializer, 404: MESSAGE, 410: MESSAGE, 429: MESSAGE},
    )
    def get(self, request: Request, token: str) -> Response:
        link = look_up(token)
        if link.status != LinkStatus.VALID or link.survey is None:
            raise self.refusal(request, link.status)
        return Response(SurveySerializer(survey_description(link.survey)).data)

    @extend_schema(
        summary="Answer, once",
        request=AnswerSheetSerializer,
        responses={
            201: MESSAGE,
            400: OpenApiResponse(
                description="Field errors, or nothing answered (code nothing_answered); "
                "nothing was stored and the link is still usable."
            ),
            404: MESSAGE,
            410: MESSAGE,
            415: MESSAGE,
            429: MESSAGE,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        # Parsed before the link is used: a malformed body (400) or a wrong content type (415)
        # is refused without saying anything about the link.
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError("Send a JSON object with answers, enps and comment.")
        try:
            cast_answers(token=token, data=data)
        except NothingAnswered:
            # Nothing was written: the link is untouched and still usable.
            raise ValidationError(NOTHING_ANSWERED, code="nothing_answered") from None
        except InvalidAnswers as invalid:
            raise ValidationError(invalid.errors) from None
        except LinkRefused as refused:
            raise self.refusal(request, refused.status) from None
        return Response({"detail": "Thank you: your answers are in."}, status=201)

    def refusal(self, request: Request, link_status: LinkStatus) -> APIException:
        if link_status == LinkStatus.UNKNOWN and refuse_unknown_link(request):
            return Throttled(detail=TOO_MANY)
        exception, message, code = REFUSALS[link_status]
        return exception(message, code=code)


def survey_description(survey: Survey) -> dict:
    focus = survey.focus
    return {
        "focus": None
        if focus is None
        else {
            "domain": focus.domain,
            "domain_label": focus.domain_label,
            "commitments": [
                {"text": c.text, "status": c.status, "due_on": c.due_on} for c in focus.commitments
            ],
            "note": focus.note,
        },
        "questions": [{"key": q.key, "text": q.text} for q in survey.questions],
        "scale": {str(value): label for value, label in SCALE_LABELS.items()},
        "enps_question": ENPS_QUESTION,
        "comment_prompt": COMMENT_PROMPT,
        "k": survey.k,
        "k_comment": survey.k_comment,
        "closes_at": survey.closes_at,
    }
