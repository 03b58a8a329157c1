"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

The access log must never hold an answer link: its token is a capability, and a logged link
with a timestamp is a clue to who answered when. The logger class below redacts answer paths
in the request line, the path and the referrer before formatting.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

from pulse.log_redaction import redact

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 30
# Workers are recycled now and then (a guard against slow leaks). The app is loaded once in the
# master, so a fresh worker is a fork, ready at once, not a second-long Django start-up during
# which the other workers carry all the load.
max_requests = 2000
max_requests_jitter = 200
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No client address (%h) and no user agent: the access log needs neither to be useful.
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger
