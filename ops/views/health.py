"""The platform health page: what needs our staff's attention across every town, at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ops import health
from ops.site import ops_site


def health_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        **ops_site.each_context(request),
        "title": _("Platform health"),
        "behind": health.towns_behind(),
        "stuck": health.towns_stuck(now),
        "stuck_minutes": int(health.PROVISIONING_STUCK_AFTER.total_seconds() // 60),
        "stripe": health.stripe_events(),
        "queues": health.queue_lengths(),
        "failed_tasks": health.failed_tasks(),
        "jobs": health.periodic_jobs(now),
    }
    return TemplateResponse(request, "ops/health.html", context)


urlpatterns = [
    path("sante/", ops_site.admin_view(health_page), name="health"),
]
