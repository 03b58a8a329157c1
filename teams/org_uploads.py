"""The org file HR is looking at on the org import page, held between preview and apply.

The preview is the import's own dry run (teams.services.import_org) on the held file, and
applying runs the same import for real on the same bytes, checked again whole: nothing applies
unless all of it does. A login holds at most one file; it is gone once applied or cancelled, and
a file left alone is forgotten after ORG_FILE_HELD_FOR.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from teams.models import HeldOrgFile
from teams.org_csv import parse_csv
from teams.org_problems import check_size
from teams.services import ImportSummary, import_org

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
    return held


def held_org_file(*, user: User) -> HeldOrgFile | None:
    """The file `user` holds, unless it has been forgotten."""
    return HeldOrgFile.objects.filter(
        user=user, uploaded_at__gte=timezone.now() - ORG_FILE_HELD_FOR
    ).first()


@transaction.atomic
def set_deactivate_missing(*, held: HeldOrgFile, deactivate_missing: bool) -> None:
    held.deactivate_missing = deactivate_missing
    held.save(update_fields=["deactivate_missing"])


def preview_org_file(*, held: HeldOrgFile) -> ImportSummary:
    """What applying the held file would change; raises OrgFileInvalid with every problem."""
    return import_org(
        rows=parse_csv(bytes(held.data)),
        deactivate_missing=held.deactivate_missing,
        dry_run=True,
    )


@transaction.atomic
def apply_org_file(*, held: HeldOrgFile) -> ImportSummary:
    """Import the held file, checked again whole, and let it go. A file that no longer fits
    (the org changed since the preview) raises OrgFileInvalid and stays held, unapplied."""
    # The login that uploaded and previewed the file is the one applying it (one file per login).
    summary = import_org(
        rows=parse_csv(bytes(held.data)),
        deactivate_missing=held.deactivate_missing,
        actor=held.user,
    )
    held.delete()
    return summary


@transaction.atomic
def discard_org_file(*, user: User) -> None:
    HeldOrgFile.objects.filter(user=user).delete()
