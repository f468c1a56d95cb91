"""URLs of notifications on a town's site (included by config/urls_tenant.py)."""

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/", views.open_notification, name="open"),
    path("notifications/tout-lu/", views.mark_all_read, name="mark_all_read"),
    # Under /mon-compte/: one's own account stays open whatever the site's subscription
    # (billing.access), and an unsubscribe link must always work.
    path("mon-compte/notifications/", views.email_preferences, name="preferences"),
    path(
        "mon-compte/notifications/desabonnement/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
]
