"""Answering a post: the private conversation, its messages and read state, help marked given.

The one place that writes conversations (pages and the API both call it). Messages get no
audit row: they are private correspondence between two residents, not acts of the town's
staff, and the conversation itself is their record (moderators read what is reported). The
audit log, which staff read, would otherwise tell who talks with whom. Marking help given
changes a post in public, so it is audited ("post.helped").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from mutual_aid import kinds
from mutual_aid.access import NotAllowed, ensure_may_answer, ensure_may_contribute
from mutual_aid.conversations.contact_details import has_contact_details
from mutual_aid.models import MESSAGE_MAX, Conversation, Message, Post
from notifications.models import Notification
from notifications.services import notify
from tenants import audit

THANKS_MAX = 500

# Notification titles, written in the site's language whoever's browser sends the message.
ANSWERED = gettext_lazy("%(name)s answered your post “%(title)s”")
NEW_MESSAGE = gettext_lazy("New message from %(name)s about “%(title)s”")
THANKED = gettext_lazy("%(name)s says you helped them with “%(title)s”")


def clean_body(body: str) -> str:
    """The message as it will be kept, or a ValidationError in French."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write your message before sending it."), code="required")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            _("Your message is too long: %(max)d characters at most (it has %(length)d).")
            % {"max": MESSAGE_MAX, "length": len(body)},
            code="max_length",
        )
    return body


def check_first_message(post: Post, body: str) -> None:
    """A first message about a sensitive post carries no link nor phone number."""
    if post.category.sensitive and has_contact_details(body):
        raise ValidationError(
            _(
                "For your safety, a first message about this kind of post cannot contain a "
                "link, an email address or a phone number. Get to know each other here first: "
                "you can share your details later."
            ),
            code="contact_details",
        )


def conversation_url(conversation: Conversation) -> str:
    return reverse("mutual_aid:conversation", args=[conversation.pk])


def start_conversation(post: Post, respondent: User, *, body: str) -> Conversation:
    """Answer a post: its first message opens a conversation with the author. A second answer
    by the same person goes into their conversation."""
    body = clean_body(body)
    with transaction.atomic():
        # The post's row serialises the answers to it: two first answers sent at once by the
        # same person make one conversation, the second finding the first.
        locked = Post.objects.select_for_update(of=("self",)).select_related("category", "author")
        post = locked.get(pk=post.pk)
        existing = Conversation.objects.filter(post=post, respondent=respondent).first()
        if existing is not None:
            send_message(existing, respondent, body=body)
            return existing
        ensure_may_answer(respondent, post)
        check_first_message(post, body)
        now = timezone.now()
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    post=post,
                    post_title=post.title,
                    author=post.author,
                    respondent=respondent,
                    created_at=now,
                    last_message_at=now,
                    respondent_read_at=now,
                )
        except IntegrityError as taken:  # the unique constraint, should the lock be bypassed
            raise NotAllowed(_("You have already answered this post.")) from taken
        Message.objects.create(conversation=conversation, sender=respondent, body=body)
        assert post.author is not None  # ensure_may_answer refuses a post whose author left
        _tell(
            post.author,
            kinds.ANSWER.code,
            ANSWERED,
            conversation,
            respondent,
        )
    return conversation


def other_participant(conversation: Conversation, person: User | Any) -> User | None:
    if person.pk == conversation.author_id:
        return conversation.respondent
    return conversation.author


def ensure_may_write(conversation: Conversation, sender: User | Any) -> None:
    """Write in this conversation: raises NotAllowed with the reason otherwise."""
    if sender.pk not in (conversation.author_id, conversation.respondent_id):
        raise NotAllowed(_("You are not part of this conversation."))
    ensure_may_contribute(sender)
    post = conversation.post
    other = other_participant(conversation, sender)
    # Someone who left first: their account's deletion also takes their posts down.
    if other is None or not other.is_active:
        raise NotAllowed(_("This person has left the site: you can no longer write to them."))
    if post.deleted_at is not None:
        raise NotAllowed(_("The post was deleted: you can read this conversation, not write."))
    if post.hidden_at is not None:
        raise NotAllowed(_("The moderators hid this post: the conversation is closed."))
    from townsite.moderation.access import is_blocked_between

    if is_blocked_between(sender, other):
        raise NotAllowed(_("You cannot write to this person."))


def send_message(conversation: Conversation, sender: User, *, body: str) -> Message:
    """Add a message; the other person is told (at most once until they read it)."""
    body = clean_body(body)
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("post__category", "author", "respondent")
            .get(pk=conversation.pk)
        )
        ensure_may_write(conversation, sender)
        if not conversation.messages.filter(sender=sender).exists():
            # Either side's first message: the author of a sensitive post is unknown too.
            check_first_message(conversation.post, body)
        now = timezone.now()
        message = Message.objects.create(
            conversation=conversation, sender=sender, body=body, created_at=now
        )
        conversation.last_message_at = now
        # Whoever writes has read what came before.
        read_field = _read_field(conversation, sender)
        setattr(conversation, read_field, now)
        conversation.save(update_fields=["last_message_at", read_field])
        recipient = other_participant(conversation, sender)
        assert recipient is not None  # ensure_may_write refuses otherwise
        if not _told_since_read(conversation, recipient):
            _tell(
                recipient,
                kinds.MESSAGE.code,
                NEW_MESSAGE,
                conversation,
                sender,
            )
    return message


def mark_read(conversation: Conversation, reader: User) -> bool:
    """The reader has seen every message so far. True if that changed anything.

    One conditional UPDATE, so no lock: two tabs opening the page at once both leave the
    stamp at or after the last message, which is all that matters.
    """
    read_field = _read_field(conversation, reader)
    now = timezone.now()
    unread = Conversation.objects.filter(pk=conversation.pk).exclude(
        **{f"{read_field}__gte": F("last_message_at")}
    )
    changed = unread.update(**{read_field: now})
    if changed:
        setattr(conversation, read_field, now)
    return bool(changed)


def _read_field(conversation: Conversation, person: User | Any) -> str:
    if person.pk is not None and person.pk == conversation.author_id:
        return "author_read_at"
    if person.pk is not None and person.pk == conversation.respondent_id:
        return "respondent_read_at"
    raise NotAllowed(_("You are not part of this conversation."))


def _told_since_read(conversation: Conversation, recipient: User) -> bool:
    """Whether the recipient already has an unread notice of this conversation, sent after
    they last read it: then one more message needs no second notice (nor email)."""
    read_at = getattr(conversation, _read_field(conversation, recipient))
    notices = Notification.objects.filter(
        recipient=recipient,
        url=conversation_url(conversation),
        kind__in=[kinds.ANSWER.code, kinds.MESSAGE.code],
        read_at__isnull=True,
    )
    if read_at is not None:
        notices = notices.filter(created_at__gt=read_at)
    return notices.exists()


def _tell(
    recipient: User, kind: str, title: Promise, conversation: Conversation, actor: User
) -> None:
    """A notification with a link to the conversation and no message text: a moderator may
    hide a message later, a copy in a notification or an email would stay."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(title) % {"name": actor.display_name, "title": conversation.post_title}
    notify(recipient, kind, title=text, url=conversation_url(conversation), actor=actor)


def mark_helped(
    post: Post,
    actor: User,
    *,
    helper: User | None = None,
    thanks: str = "",
    thanks_public: bool = False,
) -> Post:
    """The author says the help was given, with whom (one of the people who answered, or
    nobody named), and may thank them, publicly if they like."""
    thanks = " ".join((thanks or "").split())
    if len(thanks) > THANKS_MAX:
        raise ValidationError(
            _("Your thanks are too long: %(max)d characters at most.") % {"max": THANKS_MAX},
            code="max_length",
        )
    if thanks and helper is None:
        raise ValidationError(_("Choose who helped you, to thank them."), code="no_helper")
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("helper").get(pk=post.pk)
        if post.author_id != actor.pk or post.deleted_at is not None:
            raise NotAllowed(_("Only the author of the post can say the help was given."))
        ensure_may_contribute(actor)
        if helper is not None and not post.conversations.filter(respondent=helper).exists():
            raise NotAllowed(_("Choose one of the people you talked with about this post."))
        before = {
            "status": post.status,
            "helper": post.helper.display_name if post.helper else "",
            "thanks": post.thanks,
            "thanks_public": post.thanks_public,
        }
        helper_changed = post.helper_id != (helper.pk if helper else None)
        thanks_changed = post.thanks != thanks
        post.status = Post.Status.HELPED
        post.helper = helper
        post.thanks = thanks
        post.thanks_public = bool(thanks) and thanks_public
        after = {
            "status": post.status,
            "helper": helper.display_name if helper else "",
            "thanks": post.thanks,
            "thanks_public": post.thanks_public,
        }
        # Two residents may share a display name: the helper is compared by who they are.
        changed = [
            field
            for field in before
            if before[field] != after[field] or (field == "helper" and helper_changed)
        ]
        if not changed:
            return post
        fields = list(changed)
        if before["status"] != Post.Status.HELPED:
            post.helped_at = timezone.now()
            fields.append("helped_at")
        post.save(update_fields=fields)
        audit.record(
            "post.helped",
            actor=actor,
            target=post,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
        if helper is not None and (helper_changed or (thanks and thanks_changed)):
            _thank(post, helper, actor)
    return post


def _thank(post: Post, helper: User, actor: User) -> None:
    conversation = post.conversations.get(respondent=helper)
    with translation.override(settings.LANGUAGE_CODE):
        title = str(THANKED) % {
            "name": actor.display_name,
            "title": post.title,
        }
    notify(
        helper,
        kinds.THANKS.code,
        title=title,
        body=post.thanks,
        url=conversation_url(conversation),
        actor=actor,
    )
