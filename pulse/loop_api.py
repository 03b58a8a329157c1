"""The loop's API: a unit's focus and commitments, and HR's follow-through list.

Scoped like the results (pulse.loop): a unit is addressed by its id in the cycle's snapshot, as
in /results/; whoever may read its results reads its focus, only the manager who led it in the
cycle writes it, and anyone else gets 404, so the API never confirms that a unit exists.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_pages import LINK_HEADER, PAGE_PARAMETER, ListPages
from common.csv_export import CSVOrJSONView
from pulse.access import releases_in_scope
from pulse.follow_through import (
    Filters,
    FollowThroughRow,
    as_csv,
    follow_through_rows,
    follow_through_units,
)
from pulse.loop import LoopUnit, loop_unit, loop_unit_of, weakest_domain
from pulse.results import released_cycles_for
from surveys.focus import (
    NOTE_MAX,
    CommitmentInput,
    FocusProblem,
    save_focus,
    set_commitment_status,
    share_focus,
)
from surveys.focus_selectors import FocusView, focuses_after
from surveys.instrument import Domain
from surveys.models import MAX_COMMITMENTS, Commitment, CommitmentStatus
from teams.roles import is_hr


class CommitmentSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=300)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=CommitmentStatus.choices, read_only=True)


class FocusSerializer(serializers.Serializer):
    unit = serializers.IntegerField(read_only=True, help_text="The unit's id in the snapshot.")
    name = serializers.CharField(read_only=True)
    cycle = serializers.IntegerField(read_only=True, help_text="The release the focus answers.")
    proposed_domain = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The unit's weakest domain in that release; null when several are level at "
        "the bottom.",
    )
    can_edit = serializers.BooleanField(read_only=True)
    domain = serializers.ChoiceField(choices=Domain.choices, allow_null=True)
    note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False)
    shared_at = serializers.DateTimeField(read_only=True, allow_null=True)
    commitments = CommitmentSerializer(
        many=True, help_text=f"One to {MAX_COMMITMENTS}, in order; their status is kept."
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)


def focus_payload(loop: LoopUnit, focus: FocusView | None) -> dict:
    return {
        "unit": loop.unit.pk,
        "name": loop.unit.name,
        "cycle": loop.cycle.pk,
        "proposed_domain": weakest_domain(loop.released),
        "can_edit": loop.can_write,
        "domain": focus.domain if focus else None,
        "note": focus.note if focus else "",
        "shared_at": focus.shared_at if focus else None,
        "commitments": [
            {"position": c.position, "text": c.text, "due_on": c.due_on, "status": c.status}
            for c in (focus.commitments if focus else ())
        ],
    }


def readable(request: Request, unit: str) -> LoopUnit:
    found = loop_unit(request.user, int(unit))  # the route only matches digits
    if found is None:
        raise NotFound("No such unit.")
    return found


def writable(request: Request, unit: str) -> LoopUnit:
    found = readable(request, unit)
    if not found.can_write or found.unit.team is None:
        raise NotFound("No such unit.")
    return found


def as_validation_error(problem: FocusProblem) -> ValidationError:
    return ValidationError(problem.errors)


class FocusListView(APIView):
    @extend_schema(
        summary="The focuses chosen after one released cycle, for the units you may read",
        parameters=[
            OpenApiParameter("cycle", int, required=True, description="Cycle id"),
            PAGE_PARAMETER,
            LINK_HEADER,
        ],
        responses={200: FocusSerializer(many=True)},
        description="By unit name, 500 a page; the Link header names the next page.",
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("cycle", "")
        if not raw.isdigit():
            raise ValidationError({"cycle": "Give the id of a released cycle, e.g. ?cycle=3."})
        cycle = next((c for c in released_cycles_for(request.user) if c.pk == int(raw)), None)
        if cycle is None:
            raise NotFound("No released results for this cycle.")
        released = releases_in_scope(request.user, cycle.pk).select_related(
            "unit", "unit__manager", "cycle"
        )
        pages = ListPages()
        page = pages.page_of(released.order_by("unit__name", "unit_id"), request)
        focuses = focuses_after(cycle.pk, {r.unit.team_id for r in page if r.unit.team_id})
        return Response(
            [
                focus_payload(loop_unit_of(request.user, r), focuses.get(r.unit.team_id or 0))
                for r in page
            ],
            headers=pages.link_headers(),
        )


class UnitFocusView(APIView):
    @extend_schema(summary="A unit's focus and commitments", responses={200: FocusSerializer})
    def get(self, request: Request, unit: str) -> Response:
        loop = readable(request, unit)
        return Response(focus_payload(loop, loop.focus))

    @extend_schema(
        summary="Choose the focus and write its one to three commitments (the unit's manager)",
        request=FocusSerializer,
        responses={200: FocusSerializer, 400: OpenApiResponse(description="Field errors.")},
    )
    def put(self, request: Request, unit: str) -> Response:
        loop = writable(request, unit)
        incoming = FocusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data["domain"] is None:
            raise ValidationError({"domain": ["Choose one of the four domains."]})
        try:
            save_focus(
                team=loop.unit.team,  # type: ignore[arg-type]  # writable() checked it
                cycle=loop.cycle,
                domain=data["domain"],
                commitments=[
                    CommitmentInput(text=c["text"], due_on=c.get("due_on"))
                    for c in data["commitments"]
                ],
                note=data.get("note", ""),
                chosen_by=request.user,  # type: ignore[arg-type]  # authenticated
            )
        except FocusProblem as problem:
            raise as_validation_error(problem) from None
        return Response(focus_payload(loop, loop.focus))


class ShareView(APIView):
    @extend_schema(
        summary="Share the focus with the team (shown on its next pulse)",
        request=None,
        responses={200: FocusSerializer},
    )
    def post(self, request: Request, unit: str) -> Response:
        loop = writable(request, unit)
        stored = loop.stored_focus()
        if stored is None:
            raise ValidationError({"domain": ["Choose a focus before sharing it."]})
        try:
            share_focus(focus=stored)
        except FocusProblem as problem:
            raise as_validation_error(problem) from None
        return Response(focus_payload(loop, loop.focus))


class CommitmentStatusView(APIView):
    @extend_schema(
        summary="Set a commitment's status: planned, doing, done or dropped",
        request=StatusSerializer,
        responses={200: CommitmentSerializer},
    )
    def patch(self, request: Request, unit: str, position: str) -> Response:
        loop = writable(request, unit)
        commitment = Commitment.objects.filter(
            focus__cycle=loop.cycle, focus__team_id=loop.unit.team_id or 0, position=int(position)
        ).first()
        if commitment is None:
            raise NotFound("No such commitment.")
        incoming = StatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        saved = set_commitment_status(
            commitment=commitment, status=incoming.validated_data["status"]
        )
        return Response(
            {
                "position": saved.position,
                "text": saved.text,
                "due_on": saved.due_on,
                "status": saved.status,
            }
        )


class FollowThroughSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    index = serializers.IntegerField(allow_null=True)
    precision = serializers.IntegerField(
        help_text="Points per step of the index: above 1, it is rounded to steps that wide "
        "(the page shows the range it stands for)."
    )
    reason = serializers.CharField(allow_blank=True)
    focus = serializers.CharField(allow_null=True, help_text="The domain chosen, if any.")
    shared = serializers.BooleanField()
    commitments = CommitmentSerializer(many=True)
    commitments_done = serializers.IntegerField()
    follow_through = serializers.IntegerField(
        allow_null=True, help_text="0-100, from the team's answers on the next survey."
    )
    follow_through_precision = serializers.IntegerField(
        help_text="Points per step of follow_through, as precision is of the index."
    )
    follow_through_cycle = serializers.CharField(allow_blank=True)
    focus_domain_change = serializers.CharField(allow_blank=True)


def row_payload(row: FollowThroughRow) -> dict:
    focus = row.focus
    return {
        "unit": row.unit_id,
        "name": row.name,
        "index": row.index,
        "precision": row.index_step,
        "reason": row.reason,
        "focus": focus.domain if focus else None,
        "shared": bool(focus and focus.is_shared),
        "commitments": [
            {"position": c.position, "text": c.text, "due_on": c.due_on, "status": c.status}
            for c in (focus.commitments if focus else ())
        ],
        "commitments_done": focus.done_count if focus else 0,
        "follow_through": row.follow_through,
        "follow_through_precision": row.follow_through_step,
        "follow_through_cycle": row.follow_through_period,
        "focus_domain_change": row.change,
    }


def whole_number(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({name: f"Give a whole number of 0 or more; got {raw!r}."})
    return int(raw)


class FollowThroughView(CSVOrJSONView):
    # Its CSV has its own columns, in HR's words (pulse.follow_through.as_csv).

    @extend_schema(
        summary="HR: units of a release, lowest index first, with focus and follow-through",
        parameters=[
            OpenApiParameter("cycle", int, required=True, description="Cycle id"),
            OpenApiParameter("below", int, description="Only units whose index is below this"),
            OpenApiParameter(
                "without_focus_days",
                int,
                description="Only units with no focus this many days after the release",
            ),
            PAGE_PARAMETER,
            OpenApiParameter("format", str, enum=["json", "csv"]),
            LINK_HEADER,
        ],
        responses={200: FollowThroughSerializer(many=True)},
        description="500 units a page, in the list's order; the Link header names the next "
        "page, with the same filters. The CSV is the same page.",
    )
    def get(self, request: Request) -> Response:
        if not is_hr(request.user):
            raise NotFound("No such list.")
        cycle_id = whole_number(request, "cycle")
        if cycle_id is None:
            raise ValidationError({"cycle": "Give the id of a released cycle, e.g. ?cycle=3."})
        cycle = next((c for c in released_cycles_for(request.user) if c.pk == cycle_id), None)
        if cycle is None:
            raise NotFound("No released results for this cycle.")
        filters = Filters(
            below=whole_number(request, "below"),
            without_focus_after_days=whole_number(request, "without_focus_days"),
        )
        pages = ListPages()
        page = pages.page_of(follow_through_units(request.user, cycle, filters), request)
        rows = follow_through_rows(request.user, cycle, page)
        headers = pages.link_headers()
        if request.accepted_renderer.format == "csv":
            name = f"follow-through-{cycle.period}.csv"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
            return Response(as_csv(rows), headers=headers)
        return Response([row_payload(row) for row in rows], headers=headers)
