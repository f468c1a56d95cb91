"""The API's conversations: mine, their messages, answering a post, replying, read state.

Reads go through mutual_aid.access (whose conversations a person sees) and the inbox of
mutual_aid.conversations.queries; writes through mutual_aid.conversations.services, as on the
conversation pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mutual_aid import access
from mutual_aid.api import serializers
from mutual_aid.api.views import ID, LatestMessageFirst, ModuleOn, OldestFirst, me
from mutual_aid.conversations import queries, services
from mutual_aid.models import Conversation, Message


def body_errors(error: ValidationError) -> exceptions.ValidationError:
    """The service's refusal of a message's text, under the field the caller sent it in."""
    return exceptions.ValidationError({"body": error.messages})


@extend_schema_view(
    list=extend_schema(
        summary=_("My conversations"),
        description=_("The conversations you are in, the latest message first."),
    ),
    retrieve=extend_schema(summary=_("One of my conversations")),
)
class ConversationViewSet(ModuleOn, viewsets.GenericViewSet[Any]):
    serializer_class = serializers.ConversationSerializer
    pagination_class = LatestMessageFirst
    lookup_value_regex = ID

    def get_queryset(self) -> Any:
        return queries.inbox(self.request.user)

    def _mine(self, pk: str) -> Conversation:
        """One of this person's conversations (else 404), with its unread count."""
        found = access.get_conversation_for(self.request.user, int(pk))
        return self.get_queryset().get(pk=found.pk)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self._mine(pk)).data)

    @extend_schema(
        summary=_("Answer a post"),
        description=_(
            "Write to the author of a post: the first message opens your conversation about it "
            "(a second answer goes into the same conversation)."
        ),
        request=serializers.AnswerInputSerializer,
        responses={
            201: serializers.ConversationSerializer,
            403: OpenApiResponse(
                description=_("You may not answer this post; the reason says why.")
            ),
        },
    )
    def create(self, request: Request) -> Response:
        given = serializers.AnswerInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        post = access.get_post_for(request.user, given.validated_data["post"])
        try:
            started = services.start_conversation(
                post,
                me(request),
                body=given.validated_data["body"],
            )
        except ValidationError as error:
            raise body_errors(error) from error
        data = self.get_serializer(self.get_queryset().get(pk=started.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("Messages of a conversation"),
        description=_(
            "The messages of one of your conversations, oldest first. Reading them does not "
            "mark them read: send POST …/read/ for that."
        ),
        responses=serializers.MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Send a message"),
        description=_("Reply in one of your conversations. The other person is told."),
        request=serializers.MessageInputSerializer,
        responses={
            201: serializers.MessageSerializer,
            403: OpenApiResponse(description=_("You may not write here now; the reason says why.")),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=OldestFirst)
    def messages(self, request: Request, pk: str) -> Response:
        conversation = access.get_conversation_for(request.user, int(pk))
        context = self.get_serializer_context()
        if request.method == "POST":
            given = serializers.MessageInputSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            try:
                sent = services.send_message(
                    conversation,
                    me(request),
                    body=given.validated_data["body"],
                )
            except ValidationError as error:
                raise body_errors(error) from error
            data = serializers.MessageSerializer(sent, context=context).data
            return Response(data, status=status.HTTP_201_CREATED)
        thread = Message.objects.filter(conversation=conversation).select_related("sender")
        page = self.paginate_queryset(thread)
        return self.get_paginated_response(
            serializers.MessageSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary=_("Mark a conversation read"),
        description=_("You have seen every message of it so far."),
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        conversation = access.get_conversation_for(request.user, int(pk))
        services.mark_read(conversation, me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
