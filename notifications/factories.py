"""Test data for notifications, in the active town schema."""

from __future__ import annotations

import factory

from accounts.factories import UserFactory
from notifications.kinds import Frequency
from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "tests.message"
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/"
    email_frequency = Frequency.NEVER
