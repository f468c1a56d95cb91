"""Moderation's addresses: residents report and block; staff handle the queue and the log."""

from django.urls import path

from townsite.moderation import staff_views, views

urlpatterns = [
    path("signaler/<slug:kind>/<str:target_id>/", views.report, name="report"),
    path("bloquer/<int:user_id>/", views.block, name="block"),
    path("mon-compte/personnes-bloquees/", views.my_blocks, name="my_blocks"),
    path(
        "mon-compte/personnes-bloquees/<int:user_id>/debloquer/",
        views.unblock,
        name="unblock",
    ),
    path("administration/moderation/", staff_views.queue, name="moderation_queue"),
    path("administration/moderation/journal/", staff_views.log, name="moderation_log"),
    path(
        "administration/moderation/suspensions/",
        staff_views.suspensions,
        name="moderation_suspensions",
    ),
    path(
        "administration/moderation/suspensions/<int:user_id>/lever/",
        staff_views.lift,
        name="moderation_lift",
    ),
    path(
        "administration/moderation/<slug:kind>/<str:target_id>/",
        staff_views.target,
        name="moderation_target",
    ),
    path(
        "administration/habitants/<int:user_id>/verification/",
        staff_views.verify,
        name="verify_resident",
    ),
]
