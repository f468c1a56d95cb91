"""Who may see and answer a consultation, decided here only (pages and, later, the API ask).

Fetch and authorise in one step (`get_consultation_for`): a consultation someone may not
see is a 404, never a hint that it exists. Staff here are the town's admins: a consultation
speaks for the town and its publication notifies every resident, which is an admin's call,
not a moderator's (moderators look after what residents write).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from participation.consultations.models import Consultation
from townsite.models import ResidentProfile
from townsite.moderation import access as moderation
from townsite.moderation.errors import ContributionRefused
from townsite.setup.queries import site_look


class NotAllowed(Exception):
    """A refusal with the reason the person is shown (in French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def module_enabled() -> bool:
    """Whether the town has consultations on (the set-up wizard's switch). Cached read."""
    return bool(site_look().get("consultations_enabled", True))


def module_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A consultations page: 404 while the town has the module off."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not module_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def is_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff(user: Any) -> bool:
    return bool(is_member(user) and user.is_town_admin)


def listed_for(user: Any) -> Any:
    """The consultations the list shows: published ones, to the town's members. A guest sees
    none listed: an anonymous consultation is reached through its link."""
    if not is_member(user):
        return Consultation.objects.none()
    return Consultation.objects.filter(published_at__isnull=False)


def get_consultation_for(user: Any, key: str) -> Consultation:
    """The consultation at this address, if this person may see it; else 404. Drafts are
    seen only by staff (the preview); a guest sees only an anonymous audience's."""
    found = Consultation.objects.filter(key=key).first()
    if found is None:
        raise Http404
    if is_staff(user):
        return found
    if not found.is_published:
        raise Http404
    if not is_member(user) and found.audience != Consultation.Audience.LINK:
        raise Http404
    return found


def ensure_may_answer(user: Any, consultation: Consultation) -> None:
    """Raises NotAllowed with the reason when this person may not answer (now)."""
    if not consultation.is_published:
        raise NotAllowed(_("This consultation is not published yet."))
    phase = consultation.phase()
    if phase == "upcoming":
        raise NotAllowed(_("This consultation is not open yet: you can answer from its opening."))
    if phase == "closed":
        raise NotAllowed(_("This consultation is closed: answers are no longer accepted."))
    if consultation.audience == Consultation.Audience.LINK and not is_member(user):
        return
    if not is_member(user):
        raise NotAllowed(_("Log in to answer this consultation."))
    try:
        moderation.ensure_may_contribute(user)
    except ContributionRefused as refusal:
        raise NotAllowed(refusal.message) from refusal
    if consultation.audience == Consultation.Audience.VERIFIED and not moderation.is_verified(user):
        raise NotAllowed(
            _("Only residents the town has verified may answer. Ask the town hall to verify you.")
        )
    communes = list(consultation.communes.all())
    if communes:
        profile = ResidentProfile.objects.filter(user_id=user.pk).first()
        if profile is None or profile.neighbourhood_id not in {c.pk for c in communes}:
            names = ", ".join(c.name for c in communes)
            raise NotAllowed(
                _("This consultation is for the residents of: %(names)s.") % {"names": names}
            )
