"""What the API shows of mutual aid, and the shape of what it accepts. Never writes: the
views hand validated input to the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from mutual_aid.models import Category, Conversation, Message, Photo, Post


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class PersonSerializer(serializers.ModelSerializer[User]):
    """Someone as other residents see them: the name they chose, never an address."""

    class Meta:
        model = User
        fields = ["id", "display_name"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "icon", "sensitive"]
        read_only_fields = fields


class CategoryBriefSerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "sensitive"]
        read_only_fields = fields


class NeighbourhoodSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PhotoSerializer(serializers.ModelSerializer[Photo]):
    url = serializers.SerializerMethodField(help_text=_("The image, for who may see the post."))

    class Meta:
        model = Photo
        fields = ["id", "url", "width", "height", "description"]
        read_only_fields = fields

    def get_url(self, photo: Photo) -> str:
        return _absolute(self.context, reverse("mutual_aid_api:photo", kwargs={"pk": photo.pk}))


class PostSerializer(serializers.ModelSerializer[Post]):
    category = CategoryBriefSerializer(read_only=True)
    neighbourhood = NeighbourhoodSerializer(read_only=True, allow_null=True)
    author = PersonSerializer(read_only=True, allow_null=True)
    photos = PhotoSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text=_("Open to answers."))
    page = serializers.SerializerMethodField(help_text=_("The post's page on the site."))

    class Meta:
        model = Post
        fields = [
            "id",
            "kind",
            "type",
            "category",
            "title",
            "description",
            "neighbourhood",
            "when",
            "date_start",
            "date_end",
            "rhythm",
            "status",
            "is_open",
            "author",
            "photos",
            "created_at",
            "updated_at",
            "expires_at",
            "page",
        ]
        read_only_fields = fields

    def get_page(self, post: Post) -> str:
        return _absolute(self.context, reverse("mutual_aid:detail", kwargs={"pk": post.pk}))


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    post = serializers.IntegerField(source="post_id", read_only=True)
    other_person = serializers.SerializerMethodField(
        help_text=_("The other person of the conversation (null once they left the site).")
    )
    unread = serializers.IntegerField(
        read_only=True, help_text=_("Messages from the other person you have not read yet.")
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "post",
            "post_title",
            "other_person",
            "created_at",
            "last_message_at",
            "unread",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_other_person(self, conversation: Conversation) -> dict[str, Any] | None:
        me = self.context["request"].user
        other = conversation.respondent if conversation.author_id == me.pk else conversation.author
        return PersonSerializer(other).data if other is not None else None


class MessageSerializer(serializers.ModelSerializer[Message]):
    sender = PersonSerializer(read_only=True, allow_null=True)
    mine = serializers.SerializerMethodField(help_text=_("Whether you wrote it."))
    hidden = serializers.SerializerMethodField(
        help_text=_("Hidden by the moderators: its text is no longer shown.")
    )
    body = serializers.SerializerMethodField(help_text=_("The text (empty once hidden)."))

    class Meta:
        model = Message
        fields = ["id", "sender", "mine", "body", "hidden", "created_at"]
        read_only_fields = fields

    def get_mine(self, message: Message) -> bool:
        return bool(message.sender_id == self.context["request"].user.pk)

    def get_hidden(self, message: Message) -> bool:
        return message.hidden_at is not None

    def get_body(self, message: Message) -> str:
        return "" if message.hidden_at is not None else message.body


# --- What the API accepts (the services decide what is valid) ------------------------------


class MessageInputSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("The message's text.")
    )


class AnswerInputSerializer(MessageInputSerializer):
    post = serializers.IntegerField(help_text=_("The id of the post you answer."))


class PostInputSerializer(serializers.Serializer[Any]):
    """A post as the API takes it: types are read here, everything else is the service's to
    judge (mutual_aid.posting.services), with the same French messages as the form."""

    kind = serializers.ChoiceField(choices=Post.Kind.choices, help_text=_("Offer or request."))
    category = serializers.IntegerField(help_text=_("The id of a category (see categories)."))
    title = serializers.CharField(allow_blank=True, help_text=_("At most 120 characters."))
    description = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("At most 5,000 characters.")
    )
    neighbourhood = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The id of a neighbourhood (or member commune), if it is about one."),
    )
    when = serializers.ChoiceField(
        choices=Post.When.choices,
        required=False,
        allow_blank=True,
        help_text=_("“date”, “period”, “regular”, or empty for whenever suits."),
    )
    date_start = serializers.DateField(
        required=False, allow_null=True, help_text=_("The date, or the first day (YYYY-MM-DD).")
    )
    date_end = serializers.DateField(
        required=False, allow_null=True, help_text=_("The last day of a period (YYYY-MM-DD).")
    )
    rhythm = serializers.CharField(
        required=False, allow_blank=True, help_text=_("How often, for “regular”.")
    )
