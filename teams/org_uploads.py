"""The org file HR is looking at on the org import page, held between preview and apply.

The preview is the import's own dry run (teams.services.import_org) on the held file, run as a
job by a worker (teams.org_jobs) when the file is uploaded or its options change, and shown from
the job's stored outcome. Applying runs the same import for real on the same bytes, as another
job, checked again whole: nothing applies unless all of it does. A login holds at most one file;
it is gone once its applied outcome has been shown or it is cancelled, and a file left alone is
forgotten after ORG_FILE_HELD_FOR.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from teams.models import HeldOrgFile, OrgImportJobState
from teams.org_jobs import start_org_import
from teams.org_problems import check_size

ORG_FILE_HELD_FOR = timedelta(hours=2)


@transaction.atomic
def hold_org_file(
    *, user: User, file_name: str, data: bytes, deactivate_missing: bool
) -> HeldOrgFile:
    """Keep `data` as `user`'s file to preview, replacing any file they held before."""
    check_size(len(data))
    now = timezone.now()
    HeldOrgFile.objects.filter(uploaded_at__lt=now - ORG_FILE_HELD_FOR).delete()
    held, _ = HeldOrgFile.objects.update_or_create(
        user=user,
        defaults={
            "file_name": file_name[:200],
            "data": data,
            "deactivate_missing": deactivate_missing,
            "uploaded_at": now,
        },
    )
    check_held_file(held=held)
    return held


def held_org_file(*, user: User) -> HeldOrgFile | None:
    """The file `user` holds, unless it has been forgotten."""
    return (
        HeldOrgFile.objects.filter(user=user, uploaded_at__gte=timezone.now() - ORG_FILE_HELD_FOR)
        .select_related("job")
        .first()
    )


@transaction.atomic
def set_deactivate_missing(*, held: HeldOrgFile, deactivate_missing: bool) -> None:
    """Change the option and check the file again with it: the preview follows."""
    held.deactivate_missing = deactivate_missing
    held.save(update_fields=["deactivate_missing"])
    check_held_file(held=held)


def check_held_file(*, held: HeldOrgFile) -> None:
    """Start the dry run whose outcome is the preview (or the file's problems)."""
    start_job_on(held, dry_run=True)


def is_applying(held: HeldOrgFile) -> bool:
    """An apply of the held file is queued or running."""
    job = held.job
    return (
        job is not None
        and not job.dry_run
        and job.state in (OrgImportJobState.QUEUED, OrgImportJobState.RUNNING)
    )


@transaction.atomic
def apply_org_file(*, held: HeldOrgFile) -> bool:
    """Start importing the held file for real, checked again whole, once its preview has been
    shown. False (nothing started) unless the held file's latest job is a preview that found
    nothing wrong: applying without one, or twice, does nothing."""
    job = held.job
    if job is None or not job.dry_run or job.state != OrgImportJobState.DONE:
        return False
    # The login that uploaded and previewed the file is the one applying it (one file per login).
    start_job_on(held, dry_run=False)
    return True


def start_job_on(held: HeldOrgFile, *, dry_run: bool) -> None:
    held.job = start_org_import(
        user=held.user,
        file_name=held.file_name,
        data=bytes(held.data),
        deactivate_missing=held.deactivate_missing,
        dry_run=dry_run,
    )
    held.save(update_fields=["job"])


@transaction.atomic
def let_applied_file_go(*, held: HeldOrgFile) -> None:
    """Its import committed and HR has been shown what it changed."""
    held.delete()


@transaction.atomic
def discard_org_file(*, user: User) -> bool:
    """Forget the held file, unless it is being applied: then nothing can be taken back, and
    False says so."""
    held = held_org_file(user=user)
    if held is not None and is_applying(held):
        return False
    HeldOrgFile.objects.filter(user=user).delete()
    return True
