"""HR's API for the audit log: the same events as /hr/audit/, newest first, paged."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teams.audit import audit_page
from teams.models import AuditAction
from teams.permissions import IsHRAdmin


class AuditEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(help_text='Who acted: a login\'s name, or "command line".')
    action = serializers.ChoiceField(choices=AuditAction.choices)
    action_label = serializers.CharField()
    subject = serializers.CharField(help_text="What it was done to, in words.")
    details = serializers.JSONField(
        help_text='Counts and settings of the action; a change reads {"from": …, "to": …}.'
    )


class AuditLogView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("action", enum=AuditAction.values, required=False),
            OpenApiParameter("page", int, required=False),
        ],
        responses=inline_serializer(
            "AuditLogPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "results": AuditEntrySerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """What HR did, newest first: launches, closes, cadence and threshold changes, org
        imports and invitations to log in. Nothing about answers."""
        action = request.query_params.get("action", "")
        if action and action not in AuditAction.values:
            raise ValidationError(
                {"action": [f"Unknown action {action!r}; one of: {', '.join(AuditAction.values)}."]}
            )
        raw_page = request.query_params.get("page", "1")
        if not raw_page.isdigit() or int(raw_page) < 1:
            raise ValidationError({"page": ["The page must be a whole number from 1."]})
        log = audit_page(action=action, page=int(raw_page))
        return Response(
            {
                "count": log.total,
                "page": log.number,
                "pages": log.pages,
                "results": AuditEntrySerializer(
                    [asdict(entry) for entry in log.entries], many=True
                ).data,
            }
        )
