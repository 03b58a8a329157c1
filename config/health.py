"""/health/: can this process reach the database and the broker? For load balancers and probes.

Anyone may ask: the answer says only which dependency is down, nothing about surveys or people.
The database check is django-health-check's own; the broker check opens a connection through
Celery's transport, so it covers Redis and RabbitMQ alike without a worker having to answer.
"""

import dataclasses

from django.urls import path
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import OperationalError

from config.celery_app import app as celery_app


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    def run(self) -> None:
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except OperationalError as error:
            # The transport's message can carry the broker URL with its password: not shown.
            raise ServiceUnavailable("The broker does not accept connections.") from error


health_urlpatterns = [
    path("health/", HealthCheckView.as_view(checks=[Database, Broker]), name="health"),
]
