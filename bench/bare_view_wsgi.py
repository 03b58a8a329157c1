"""The WSGI application for bench/answer_throughput.py: Pulse, plus one bench-only route.

POST /bench/bare inserts one row with one INSERT and answers 201: the floor any answer path
must stand on (a request through the full middleware stack and one write).
"""

import os
import uuid

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import config.urls  # noqa: E402


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (id, body) VALUES (%s, %s)",
            [str(uuid.uuid4()), request.body.decode()],
        )
    return HttpResponse(status=201)


config.urls.urlpatterns.append(path("bench/bare", bare_insert))
clear_url_caches()
