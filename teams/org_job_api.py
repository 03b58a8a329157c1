"""HR's org import as a background job over the API, for files too large for one request:
POST the file (as to /api/v1/org/import) and get 202 with the job's address; GET that address
for its state and progress, then its summary or its problems (teams.org_jobs)."""

import json
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_exceptions import PayloadTooLarge
from teams.api import (
    IMPORT_OPTIONS,
    INVALID_ORG_FILE,
    NOTHING_SENT,
    ORG_FILE_REQUEST,
    ImportSummarySerializer,
    OrgFileView,
    OrgImportErrorSerializer,
    flag,
    rejected_file,
    rejection_extra,
    rejection_message,
)
from teams.audit import acting_login
from teams.import_progress import STAGES
from teams.models import OrgImportJob, OrgImportJobState
from teams.org_jobs import JobStatus, job_status, start_org_import
from teams.org_problems import OrgFileInvalid, OrgFileTooLarge, RowError, check_size
from teams.permissions import IsHRAdmin

IMPORT_FAILED = "import_failed"


class JobProgressSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=STAGES,
        help_text="read: rows read from the file; checked: rows checked; applied: rows "
        "applied (in a dry run: compared with the org chart, then rolled back).",
    )
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class OrgImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="Where to GET this job.")
    state = serializers.ChoiceField(
        choices=OrgImportJobState.choices,
        help_text="queued, running, then done (see summary), invalid (see error: every "
        "problem by line and column, nothing was applied) or failed (see error; nothing was "
        "applied). A job running longer than a worker can run it is shown as failed.",
    )
    file_name = serializers.CharField()
    dry_run = serializers.BooleanField()
    deactivate_missing = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = JobProgressSerializer(
        allow_null=True, help_text="While running: how far it has got. Null otherwise."
    )
    summary = ImportSummarySerializer(allow_null=True, help_text="When done.")
    error = OrgImportErrorSerializer(
        allow_null=True,
        help_text="When invalid (code invalid_org_file, with rows and problems) or failed "
        "(code import_failed): the API's error body.",
    )


def job_body(request: Request, status_now: JobStatus) -> dict[str, Any]:
    job = status_now.job
    progress = status_now.progress
    return {
        "id": job.pk,
        "url": request.build_absolute_uri(reverse("org-import-job", args=[job.pk])),
        "state": job.state,
        "file_name": job.file_name,
        "dry_run": job.dry_run,
        "deactivate_missing": job.deactivate_missing,
        "created_at": serializers.DateTimeField().to_representation(job.created_at),
        "finished_at": (
            serializers.DateTimeField().to_representation(job.finished_at)
            if job.finished_at
            else None
        ),
        "progress": (
            {"stage": progress.stage, "done": progress.done, "total": progress.total}
            if progress
            else None
        ),
        "summary": (
            ImportSummarySerializer(status_now.summary).data if status_now.summary else None
        ),
        "error": error_of(status_now),
    }


def error_of(status_now: JobStatus) -> dict[str, Any] | None:
    """The same body a refused request has (config.api_errors), for a job that ended so."""
    if status_now.state == OrgImportJobState.INVALID:
        problems = status_now.problems
        return {
            "code": INVALID_ORG_FILE,
            "message": rejection_message(status_now.problem_summary, problems),
            "fields": {},
            **rejection_extra(problems, status_now.job.problem_count),
        }
    if status_now.state == OrgImportJobState.FAILED:
        return {"code": IMPORT_FAILED, "message": status_now.job.failure, "fields": {}}
    return None


class OrgImportJobsView(OrgFileView):
    @extend_schema(
        summary="Start an org import in the background",
        description=(
            "The same file, options and rules as `POST /api/v1/org/import`, for files of any "
            "size: the import runs in a worker, all or nothing, and this answers at once with "
            "202 and the job (its address in `url` and in the Location header). GET the job "
            "until its state is done, invalid or failed."
        ),
        parameters=IMPORT_OPTIONS,
        request=ORG_FILE_REQUEST,
        responses={202: OrgImportJobSerializer},
    )
    def post(self, request: Request) -> Response:
        body = request.data
        file_name, data, is_json = self.file_from(request, body)
        try:
            check_size(len(data))
        except OrgFileTooLarge as too_large:
            raise PayloadTooLarge(str(too_large)) from too_large
        user = acting_login(request.user)
        assert user is not None  # IsHRAdmin admits logins only
        job = start_org_import(
            user=user,
            file_name=file_name,
            data=data,
            is_json=is_json,
            deactivate_missing=flag(request, "deactivate_missing", body),
            dry_run=flag(request, "dry_run", body),
        )
        answer = job_body(request, job_status(job))
        return Response(
            answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]}
        )

    def file_from(self, request: Request, body: object) -> tuple[str, bytes, bool]:
        """The file as sent: its name, its bytes, and whether it is JSON."""
        if isinstance(body, bytes):
            return "org.csv", body, False
        if isinstance(body, list):
            return "people.json", json.dumps(body).encode(), True
        if isinstance(body, dict) and isinstance(body.get("people"), list):
            return "people.json", json.dumps(body["people"]).encode(), True
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                check_size(upload.size or 0)  # before reading it into memory
            except OrgFileTooLarge as too_large:
                raise PayloadTooLarge(str(too_large)) from too_large
            return upload.name or "org.csv", upload.read(), False
        raise rejected_file(OrgFileInvalid([RowError(1, None, NOTHING_SENT)]))


class OrgImportJobView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(
        summary="An org import job: its state, progress and outcome",
        responses={
            200: OpenApiResponse(
                OrgImportJobSerializer,
                description="Progress is read while the import's transaction is still open; "
                "the outcome is kept once it has finished.",
            )
        },
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(OrgImportJob, pk=job_id)
        return Response(job_body(request, job_status(job)))
