"""The OpenAPI schema, built by one thread at a time in a process.

drf-spectacular keeps the state of a build in classes and module globals (its extensions'
target classes, loaded at the first build; GENERATOR_STATS), so two builds at once in one
process can break each other (tfranzel/drf-spectacular#1122, #1123, #1368, open). gunicorn's
threads did: two residents' first schema requests in a new worker, and one answered 500
(`'NoneType' object has no attribute 'startswith'`, found by schemathesis in make prod-check).
"""

from __future__ import annotations

import threading
from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

# Every build of the schema in this process holds it: the served schema and the docs page's.
BUILDING = threading.Lock()


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)  # as its parent's (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with BUILDING:
            return super().get(request, *args, **kwargs)
