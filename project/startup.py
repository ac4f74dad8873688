"""What a serving process does once Django is loaded, before its first request.

Python's cyclic garbage collector, on each full collection, walks every object the process holds. A web
worker holds a few hundred thousand of them from its start (Django, the apps, the libraries, every view
module the URL configuration imports), none of which will ever be garbage: each full collection walked
them all, about 100 ms on this project's 2-core reference machine, once every ten to twenty page views, a
page now and then five times slower than the others. `settle()` imports what the first request would
(the URL configuration and its views), collects once, and freezes what is left (`gc.freeze`): full
collections then walk only what requests create. Measured in docs/performance.md.
"""

import gc

from django.urls import get_resolver


def settle() -> None:
    """Call once per process, after django.setup() (project/wsgi.py does)."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module, as the first request would
    gc.collect()
    gc.freeze()
