"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules and URL maps) lives as long as the
# worker. Frozen, the garbage collector's full passes no longer walk it: before, one in a few
# dozen requests paid ~90 ms for such a pass, which made the slowest requests of a busy page.
# The youngest generation is collected less often too: a page allocates tens of thousands of
# objects, nearly all freed by reference counting when the request ends.
gc.freeze()
gc.set_threshold(20_000, 20, 20)
