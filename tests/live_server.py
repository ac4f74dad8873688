"""The live server of the browser and ProConnect tests, one request at a time on SQLite.

On SQLite the test database lives in memory and the live server's threads share the test's own
connection (pytest-django's ``connections_override``). Each page of the product starts a second request
of its own (the « À traiter » count of the header, static/js/notifications.js): two requests at once on
one SQLite connection interleave their transactions and fail with « database table is locked », and
the broken transaction then fails every later test of that worker at its flush. A browser never waits
for the live server to be free, so the server serves one request at a time, as a single-threaded
server would, while still accepting connections in parallel (Chromium keeps several open).

The provider's back-channel endpoints are served beside the lock: the product calls them from inside
a request that holds it (ProConnect sign-in, tests/oidc_provider/), and a wait there would never end.
On PostgreSQL every thread has its own connection, and nothing is serialized.
"""

import threading

from django.core.servers.basehttp import ThreadedWSGIServer

REQUEST_LOCK = threading.RLock()
BACK_CHANNEL = ("/fournisseur/token/", "/fournisseur/userinfo/", "/fournisseur/.well-known/")


def serialized(application):
    def one_at_a_time(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(BACK_CHANNEL):
            return application(environ, start_response)
        with REQUEST_LOCK:
            result = application(environ, start_response)
            try:
                body = b"".join(result)  # a file download too: the request ends inside the lock
            finally:
                if hasattr(result, "close"):
                    result.close()  # request_finished: the view's connection work is done
        return [body]

    return one_at_a_time


class SerialWSGIServer(ThreadedWSGIServer):
    def set_app(self, application):
        super().set_app(serialized(application) if self.connections_override else application)


def wait_for_requests_in_flight():
    """Return once the request being served, if any, has ended (before a test's flush)."""
    with REQUEST_LOCK:
        pass
