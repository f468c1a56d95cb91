"""What the town does with an idea: change its status with an official answer, merge a
duplicate into another idea. Each writes its audit entry and tells the author and followers."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.services import notify_many
from participation.ideas import kinds
from participation.ideas.access import NotAllowed
from participation.ideas.models import Idea, IdeaAnswer, IdeaFollow, IdeaSupport
from tenants.audit import record

S = Idea.Status

# Where an idea may go from each status (the official workflow).
NEXT: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.UNDER_STUDY, S.ACCEPTED, S.NOT_RETAINED),
    S.UNDER_STUDY: (S.ACCEPTED, S.NOT_RETAINED),
    S.ACCEPTED: (S.IN_PROGRESS, S.NOT_RETAINED),
    S.IN_PROGRESS: (S.DONE,),
    S.NOT_RETAINED: (),
    S.DONE: (),
    S.MERGED: (),
}


def next_statuses(idea: Idea) -> list[tuple[str, str]]:
    return [(code, str(S(code).label)) for code in NEXT[idea.status]]


def _status_label(code: str) -> str:
    return str(S(code).label) if code in S.values else code


def _people_to_tell(idea: Idea) -> list[User]:
    followers = User.objects.filter(idea_follows__idea=idea)
    people = {person.pk: person for person in followers}
    if idea.author is not None:
        people.setdefault(idea.author.pk, idea.author)
    return list(people.values())


@transaction.atomic
def answer_idea(staff: User, idea: Idea, *, status: str, text: str) -> IdeaAnswer:
    """Move the idea on in its workflow, with the public text that explains it."""
    idea = Idea.objects.select_for_update(of=("self",)).select_related("author").get(pk=idea.pk)
    text = text.strip()
    if status not in NEXT[idea.status]:
        raise NotAllowed(
            _("An idea that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": idea.get_status_display(), "wanted": _status_label(status)}
        )
    if not text:
        if status == S.NOT_RETAINED:
            raise NotAllowed(
                _("Say publicly why the idea is not retained: residents read this answer.")
            )
        raise NotAllowed(_("Write the official answer residents will read."))
    previous = idea.status
    now = timezone.now()
    idea.status = status
    idea.answered_at = now
    idea.save(update_fields=["status", "answered_at"])
    answer = IdeaAnswer.objects.create(
        idea=idea, author=staff, previous_status=previous, status=status, text=text, created_at=now
    )
    record_answer(staff, idea, previous, status, text)
    notify_many(
        _people_to_tell(idea),
        kinds.ANSWER.code,
        title=_("The town answers the idea “%(title)s”: %(status)s")
        % {"title": idea.title, "status": idea.get_status_display()},
        url=reverse("ideas:detail", args=[idea.pk]),
        body=text,
        actor=staff,
    )
    return answer


def record_answer(staff: User, idea: Idea, previous: str, status: str, text: str) -> None:
    record(
        "idea.answer",
        actor=staff,
        target=idea,
        target_label=idea.title,
        before={"status": previous},
        after={"status": status},
        reason=text[:500],
    )


@transaction.atomic
def merge_idea(staff: User, duplicate: Idea, into: Idea, *, text: str = "") -> Idea:
    """Merge a duplicate into another idea: its supporters and followers join the other one
    (a person who supported both counts once), the duplicate says where it went, both authors
    are told."""
    if duplicate.pk == into.pk:
        raise NotAllowed(_("An idea cannot be merged into itself."))
    # Lock both in the same order whoever merges, so two merges cannot wait on each other.
    locked = {
        idea.pk: idea
        for idea in Idea.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.is_merged:
        raise NotAllowed(_("This idea is merged already."))
    if into.is_merged:
        raise NotAllowed(_("That idea is merged into another one: choose the one it went to."))
    if into.hidden_at is not None:
        raise NotAllowed(_("That idea is hidden by the moderators: choose another one."))
    already = set(IdeaSupport.objects.filter(idea=into).values_list("user_id", flat=True))
    carried = [
        IdeaSupport(idea=into, user_id=row.user_id, created_at=row.created_at)
        for row in IdeaSupport.objects.filter(idea=duplicate)
        if row.user_id not in already
    ]
    IdeaSupport.objects.bulk_create(carried)
    following = set(IdeaFollow.objects.filter(idea=into).values_list("user_id", flat=True))
    IdeaFollow.objects.bulk_create(
        [
            IdeaFollow(idea=into, user_id=row.user_id)
            for row in IdeaFollow.objects.filter(idea=duplicate)
            if row.user_id not in following
        ]
    )
    into.support_count = IdeaSupport.objects.filter(idea=into).count()
    into.save(update_fields=["support_count"])
    previous = duplicate.status
    now = timezone.now()
    duplicate.status = S.MERGED
    duplicate.merged_into = into
    duplicate.answered_at = now
    duplicate.save(update_fields=["status", "merged_into", "answered_at"])
    public = text.strip() or _("This idea is the same as “%(title)s”: they are now one.") % {
        "title": into.title
    }
    IdeaAnswer.objects.create(
        idea=duplicate,
        author=staff,
        previous_status=previous,
        status=S.MERGED,
        text=public,
        created_at=now,
    )
    record(
        "idea.merge",
        actor=staff,
        target=duplicate,
        target_label=duplicate.title,
        before={"status": previous},
        after={"status": S.MERGED, "merged_into": into.pk, "supports_carried": len(carried)},
    )
    authors = [idea.author for idea in (duplicate, into) if idea.author is not None]
    notify_many(
        authors,
        kinds.ANSWER.code,
        title=_("The ideas “%(duplicate)s” and “%(into)s” are merged")
        % {"duplicate": duplicate.title, "into": into.title},
        url=reverse("ideas:detail", args=[into.pk]),
        body=public,
        actor=staff,
    )
    return into
