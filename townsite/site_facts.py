"""What the town site tells the console about a town: the modules it runs."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ops import site_facts
from townsite.models import TownProfile

# "activé": the state of the module, whatever the module's own name.
ON = pgettext_lazy("module state", "On")
OFF = pgettext_lazy("module state", "Off")
MODULES = (
    ("mutual_aid_enabled", _("Mutual aid")),
    ("consultations_enabled", _("Consultations")),
    ("ideas_enabled", _("Idea box")),
)


def modules() -> list[tuple[str | Promise, str | Promise]]:
    profile = TownProfile.objects.only(*(field for field, _label in MODULES)).first()
    if profile is None:  # never set up: the defaults apply
        profile = TownProfile()
    return [(label, ON if getattr(profile, field) else OFF) for field, label in MODULES]


def register() -> None:
    site_facts.register("modules", _("Modules"), modules)
