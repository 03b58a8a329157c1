"""HR's API for cadences and cycles."""

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.api_exceptions import Conflict, ErrorSerializer
from common.csv_export import CSVOrJSONView
from surveys.closing import close_now
from surveys.launch import LaunchError, launch_now
from surveys.models import Cadence, Cycle, CycleState
from surveys.selectors import cycles_led_by, with_delivery
from surveys.serializers import CadenceSerializer, CycleSerializer, ReadableCycleSerializer
from teams.audit import acting_login
from teams.permissions import IsHRAdmin
from teams.roles import is_hr


def cycles_with_delivery() -> QuerySet[Cycle]:
    return with_delivery(Cycle.objects.select_related("cadence"))


class CadenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Survey cadences. Deactivate a cadence instead of deleting it: its cycles keep results."""

    queryset = Cadence.objects.all()
    serializer_class = CadenceSerializer
    permission_classes = [IsHRAdmin]

    @extend_schema(
        request=None,
        responses={
            201: CycleSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Code `cannot_launch`: this period already has a cycle, or it "
                "cannot launch (the message says why).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str) -> Response:
        """Launch this period's cycle now; emails go out on the next scheduler pass."""
        cadence = self.get_object()
        try:
            cycle = launch_now(
                cadence=cadence, now=timezone.now(), actor=acting_login(request.user)
            )
        except LaunchError as error:
            raise Conflict(str(error), code="cannot_launch") from error
        return Response(
            CycleSerializer(cycles_with_delivery().get(pk=cycle.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CycleViewSet(CSVOrJSONView, viewsets.ReadOnlyModelViewSet):
    """Cycles with their status and delivery counts, for HR. The list is also a manager's: the
    cycles with released results the caller may read (those in which it led a team), without
    the organisation's delivery counts."""

    serializer_class = CycleSerializer
    # A script may ask for the list as CSV (Accept: text/csv or ?format=csv): CSVOrJSONView.

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "list":
            return [IsAuthenticated()]
        return [IsHRAdmin()]

    def lists_for_a_manager(self) -> bool:
        return self.action == "list" and not is_hr(self.request.user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ReadableCycleSerializer if self.lists_for_a_manager() else CycleSerializer

    def get_queryset(self) -> QuerySet[Cycle]:
        if self.lists_for_a_manager():
            # `release` is the anonymous plane's Release of a cycle (pulse), named by its
            # relation only: a cycle is listed once its results can be read.
            return (
                Cycle.objects.select_related("cadence")
                .filter(pk__in=cycles_led_by(self.request.user.pk or 0), release__isnull=False)
                .order_by("-closes_at")
            )
        return cycles_with_delivery()

    @extend_schema(
        responses={200: CycleSerializer(many=True)},
        description="HR: every cycle with its delivery counts. Anyone else: the cycles with "
        "released results the caller may read, newest first, as ReadableCycle "
        "(no delivery counts).",
    )
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses={
            200: CycleSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="Code `already_closed`: the cycle is closed."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close the cycle now, before its window ends."""
        cycle = self.get_object()
        if cycle.state == CycleState.CLOSED or not close_now(
            cycle_id=cycle.pk, actor=acting_login(request.user)
        ):
            raise Conflict(f"Cycle {cycle} is already closed.", code="already_closed")
        return Response(CycleSerializer(self.get_queryset().get(pk=cycle.pk)).data)
