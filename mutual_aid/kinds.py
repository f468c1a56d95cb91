"""The notifications mutual aid sends (registered at start-up by MutualAidConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Frequency, Kind, register

ANSWER = register(Kind("mutual_aid.answer", _("Someone answers one of my posts")))
MESSAGE = register(Kind("mutual_aid.message", _("New messages in my conversations")))
NEW_POST = register(
    Kind(
        "mutual_aid.new_post",
        _("New posts in the categories and places I follow"),
        default_frequency=Frequency.DAILY,
    )
)
EXPIRY = register(Kind("mutual_aid.expiry", _("One of my posts is about to expire")))
THANKS = register(Kind("mutual_aid.thanks", _("Someone thanks me for my help")))
LOAN = register(Kind("mutual_aid.loan", _("Loans: requests, answers, returns")))
CARPOOL = register(Kind("mutual_aid.carpool", _("Carpools: bookings and changes")))
GROUP_PURCHASE = register(
    Kind("mutual_aid.group_purchase", _("Group purchases: progress and outcome"))
)
