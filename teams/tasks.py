"""Celery tasks of the identity plane: thin wrappers that take ids."""

from celery import shared_task

from teams.org_jobs import run_job


@shared_task(name="teams.run_org_import", acks_late=True)
def run_org_import(job_id: int) -> None:
    """Run one org import job; a second delivery of the message finds it claimed and stops."""
    run_job(job_id=job_id)
