"""The API's debate under an idea: its comments (a flat thread: parent and depth), writing one
or a reply, changing one's comment within 15 minutes, deleting it. Written by
participation.ideas.comments, judged by the page's comment form. Reports go to /reports/."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.pagination import CursorPage
from participation.api import idea_serializers as serializers
from participation.api.common import ID, IdeasOn, form_errors, me
from participation.ideas import comments
from participation.ideas.access import (
    NotAllowed,
    comments_for,
    get_idea_for,
    get_own_comment,
    is_staff,
)
from participation.ideas.forms import CommentForm
from participation.ideas.models import IdeaComment


class OldestFirst(CursorPage):
    ordering = ("created_at", "pk")


def _body(data: Any) -> str:
    """The text, judged by the page's form (empty, too long: its French messages)."""
    given = serializers.CommentEditSerializer(data=data)
    given.is_valid(raise_exception=True)
    form = CommentForm({"body": given.validated_data["body"]})
    if not form.is_valid():
        raise exceptions.ValidationError(form_errors(form))
    return str(form.cleaned_data["body"])


def comment_context(request: Request) -> dict[str, Any]:
    return {"request": request, "is_staff": is_staff(request.user)}


class CommentsOfIdea:
    """The `comments` endpoint of an idea (part of IdeaViewSet)."""

    @extend_schema(
        methods=["GET"],
        summary=gettext_lazy("An idea's comments"),
        description=gettext_lazy(
            "The debate, oldest first: each comment says the one it answers (parent) and its "
            "depth (0 to 2). A hidden or deleted comment keeps its place for its replies, "
            "without its text."
        ),
        responses=serializers.CommentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=gettext_lazy("Comment on an idea"),
        description=gettext_lazy("A comment, or a reply to one (give its id as parent)."),
        request=serializers.CommentInputSerializer,
        responses={
            201: serializers.CommentSerializer,
            403: OpenApiResponse(
                description=gettext_lazy("You may not comment here; the reason says why.")
            ),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=OldestFirst)
    def comments(self, request: Request, pk: str) -> Response:
        view: Any = self
        idea = get_idea_for(request.user, int(pk))
        context = comment_context(request)
        if request.method == "POST":
            given = serializers.CommentInputSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            body = _body({"body": given.validated_data["body"]})
            parent_pk = given.validated_data.get("parent")
            parent = comments_for(me(request)).filter(pk=parent_pk, idea=idea).first()
            if parent_pk and parent is None:
                raise NotAllowed(_("This comment can no longer be answered."))
            made = comments.add_comment(me(request), idea, body, parent=parent)
            data = serializers.CommentSerializer(made, context=context).data
            return Response(data, status=status.HTTP_201_CREATED)
        thread = IdeaComment.objects.filter(idea=idea).select_related("author")
        page = view.paginate_queryset(thread)
        return view.get_paginated_response(
            serializers.CommentSerializer(page, many=True, context=context).data
        )


@extend_schema_view(
    partial_update=extend_schema(
        summary=gettext_lazy("Change my comment"),
        description=gettext_lazy("Within 15 minutes of writing it."),
        request=serializers.CommentEditSerializer,
        responses={
            200: serializers.CommentSerializer,
            403: OpenApiResponse(description=gettext_lazy("Too late to change it.")),
        },
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Delete my comment"),
        description=gettext_lazy("Its text goes; its replies stay in place."),
        responses={204: None},
    ),
)
class IdeaCommentViewSet(IdeasOn, viewsets.GenericViewSet[IdeaComment]):
    serializer_class = serializers.CommentSerializer
    lookup_value_regex = ID

    def get_serializer_context(self) -> dict[str, Any]:
        return comment_context(self.request)

    def partial_update(self, request: Request, pk: str) -> Response:
        comment = get_own_comment(request.user, int(pk))
        changed = comments.edit_comment(me(request), comment, _body(request.data))
        return Response(self.get_serializer(changed).data)

    def destroy(self, request: Request, pk: str) -> Response:
        comment = get_own_comment(request.user, int(pk))
        comments.delete_comment(me(request), comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
