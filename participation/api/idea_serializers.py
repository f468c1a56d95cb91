"""What the API shows of the idea box (ideas, the town's answers, comments), and the shape of
what it accepts. Never writes: the views hand validated input to the services."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participation.api.common import ParticipantSerializer, PlaceSerializer, absolute
from participation.ideas.comments import EDIT_WINDOW
from participation.ideas.models import Idea, IdeaAnswer, IdeaCategory, IdeaComment


class IdeaCategorySerializer(serializers.ModelSerializer[IdeaCategory]):
    class Meta:
        model = IdeaCategory
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class IdeaSerializer(serializers.ModelSerializer[Idea]):
    category = IdeaCategorySerializer(read_only=True)
    neighbourhood = PlaceSerializer(read_only=True, allow_null=True)
    author = ParticipantSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    to_be_studied = serializers.SerializerMethodField(
        help_text=_("Supported by enough residents that the town promised to study it.")
    )
    supported = serializers.BooleanField(read_only=True, help_text=_("Whether you support it."))
    image = serializers.SerializerMethodField(help_text=_("The image, for who may see the idea."))
    page = serializers.SerializerMethodField(help_text=_("The idea's page on the site."))

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "description",
            "category",
            "neighbourhood",
            "status",
            "status_label",
            "support_count",
            "comment_count",
            "to_be_studied",
            "supported",
            "author",
            "image",
            "image_description",
            "created_at",
            "answered_at",
            "page",
        ]
        read_only_fields = fields

    def get_to_be_studied(self, idea: Idea) -> bool:
        threshold = self.context["threshold"]
        return bool(idea.status == Idea.Status.SUBMITTED and idea.support_count >= threshold)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image(self, idea: Idea) -> str | None:
        if not idea.image:
            return None
        path = reverse("participation_api:idea-image", kwargs={"pk": idea.pk})
        return absolute(self.context, path)

    def get_page(self, idea: Idea) -> str:
        return absolute(self.context, reverse("ideas:detail", args=[idea.pk]))


class AnswerSerializer(serializers.ModelSerializer[IdeaAnswer]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = IdeaAnswer
        fields = ["status", "status_label", "previous_status", "text", "created_at"]
        read_only_fields = fields


class IdeaDetailSerializer(IdeaSerializer):
    answers = AnswerSerializer(
        many=True, read_only=True, help_text=_("The town's official answers, the latest first.")
    )
    following = serializers.BooleanField(
        read_only=True, help_text=_("Whether you are told of its answers.")
    )
    hidden = serializers.SerializerMethodField(
        help_text=_("Hidden by the moderators: only you and them see it.")
    )
    merged_into = serializers.PrimaryKeyRelatedField[Idea](
        read_only=True,
        allow_null=True,
        help_text=_("The idea it was merged into, where its supports now count."),
    )

    class Meta(IdeaSerializer.Meta):
        fields = [*IdeaSerializer.Meta.fields, "answers", "following", "hidden", "merged_into"]
        read_only_fields = fields

    def get_hidden(self, idea: Idea) -> bool:
        return idea.hidden_at is not None


class IdeaStateSerializer(serializers.Serializer[Any]):
    """Where the caller stands with an idea, after supporting or following it."""

    id = serializers.IntegerField()
    support_count = serializers.IntegerField()
    supported = serializers.BooleanField()
    following = serializers.BooleanField()


class CommentSerializer(serializers.ModelSerializer[IdeaComment]):
    idea = serializers.IntegerField(source="idea_id", read_only=True)
    depth = serializers.IntegerField(
        read_only=True, help_text=_("0 for a comment, 1 or 2 for a reply.")
    )
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(
        help_text=_("The text (empty once hidden for you or deleted).")
    )
    hidden = serializers.SerializerMethodField(help_text=_("Hidden by the moderators."))
    deleted = serializers.SerializerMethodField(help_text=_("Deleted by its author."))
    mine = serializers.SerializerMethodField(help_text=_("Whether you wrote it."))
    editable_until = serializers.SerializerMethodField(
        help_text=_("Its author may change it until then (15 minutes after writing it).")
    )

    class Meta:
        model = IdeaComment
        fields = [
            "id",
            "idea",
            "parent",
            "depth",
            "author",
            "body",
            "hidden",
            "deleted",
            "mine",
            "created_at",
            "edited_at",
            "editable_until",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "parent": {"help_text": _("The comment it answers (null: a comment on the idea).")}
        }

    def _shown(self, comment: IdeaComment) -> bool:
        """As the idea's page: a hidden comment's text is shown only to its author and the
        team; a deleted one's to nobody. Its place in the thread stays, for its replies."""
        if comment.deleted_at is not None:
            return False
        if comment.hidden_at is None:
            return True
        user = self.context["request"].user
        return bool(comment.author_id == user.pk or self.context["is_staff"])

    @extend_schema_field(ParticipantSerializer(allow_null=True))
    def get_author(self, comment: IdeaComment) -> dict[str, Any] | None:
        if not self._shown(comment) or comment.author is None:
            return None
        return dict(ParticipantSerializer(comment.author).data)

    def get_body(self, comment: IdeaComment) -> str:
        return comment.body if self._shown(comment) else ""

    def get_hidden(self, comment: IdeaComment) -> bool:
        return comment.hidden_at is not None

    def get_deleted(self, comment: IdeaComment) -> bool:
        return comment.deleted_at is not None

    def get_mine(self, comment: IdeaComment) -> bool:
        return bool(comment.author_id == self.context["request"].user.pk)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_editable_until(self, comment: IdeaComment) -> Any:
        if not self.get_mine(comment) or comment.deleted_at or comment.hidden_at:
            return None
        return serializers.DateTimeField().to_representation(comment.created_at + EDIT_WINDOW)


# --- What the API accepts (the page's forms and the services decide what is valid) ---------


class IdeaInputSerializer(serializers.Serializer[Any]):
    """An idea as the API takes it: types are read here, the rest is judged by the page's
    form (participation.ideas.forms.IdeaForm), with the same French messages."""

    title = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("At most 120 characters.")
    )
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_("At most 5,000 characters."),
    )
    category = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("The id of a category (see idea-categories).")
    )
    neighbourhood = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The id of a neighbourhood (or member commune), if it is about one."),
    )
    image_description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What the image shows, in a few words (with an image)."),
    )


class IdeaUploadSerializer(IdeaInputSerializer):
    image = serializers.FileField(
        required=False,
        help_text=_("Optional: a JPEG, PNG or WebP image, 10 MB at most (multipart only)."),
    )


class CommentInputSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("The comment's text, at most 2,000 characters."),
    )
    # DRF takes declared fields off the class: this "parent" is not Field.parent.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        help_text=_(
            "The comment you answer, if it is a reply. A reply to a reply of a reply joins "
            "that last thread (three levels at most)."
        ),
    )


class CommentEditSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("The comment's new text.")
    )
