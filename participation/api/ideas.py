"""The API's idea box: categories, ideas (list, search, read, submit), supports, follows, the
idea's image. Reads through participation.ideas.queries and access (the pages' rules), writes
through participation.ideas.services, with the page's form judging a new idea."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.negotiation import AnyAccept
from participation.api import idea_serializers as serializers
from participation.api.comments import CommentsOfIdea
from participation.api.common import ID, Conflict, IdeasOn, NumberedPage, form_errors, me
from participation.ideas import queries, services
from participation.ideas import views as idea_pages
from participation.ideas.access import ensure_may_contribute, get_idea_for
from participation.ideas.forms import IdeaForm
from participation.ideas.models import Idea, IdeaFollow, IdeaSettings, IdeaSupport
from participation.ideas.services import AlreadySupported

UPLOADS = (parsers.JSONParser, parsers.MultiPartParser)

IDEA_FILTERS = [
    OpenApiParameter("q", str, description=_("Words to search for (in French, accents optional).")),
    OpenApiParameter("category", str, description=_("A category's short name (its slug).")),
    OpenApiParameter("neighbourhood", int, description=_("A neighbourhood's id.")),
    OpenApiParameter(
        "status",
        str,
        enum=[code for code in Idea.Status.values if code != Idea.Status.MERGED],
        description=_("Where the town's answer stands."),
    ),
    OpenApiParameter(
        "sort",
        str,
        enum=list(queries.SORTS),
        description=_(
            "supported (the default): most supported first; newest; discussed: most "
            "comments first; answered: recently answered first."
        ),
    ),
]


def _flagged(ideas: QuerySet[Idea], user: Any, *, following: bool = False) -> QuerySet[Idea]:
    """With whether this resident supports (and follows) each idea, in the same query."""
    ideas = ideas.annotate(
        supported=Exists(IdeaSupport.objects.filter(idea=OuterRef("pk"), user=user))
    )
    if following:
        ideas = ideas.annotate(
            following=Exists(IdeaFollow.objects.filter(idea=OuterRef("pk"), user=user))
        )
    return ideas


@extend_schema_view(
    list=extend_schema(
        summary=_("Idea categories"),
        description=_("The categories an idea can be in, in the town's order."),
    )
)
class IdeaCategoryViewSet(IdeasOn, viewsets.GenericViewSet[Any]):
    serializer_class = serializers.IdeaCategorySerializer
    pagination_class = None

    def list(self, request: Request) -> Response:
        return Response(self.get_serializer(queries.enabled_categories(), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Ideas"),
        description=_(
            "The town's ideas, with the sorts, filters and search of the site's list. Ideas "
            "hidden by the moderators and ideas merged into another are not listed."
        ),
        parameters=IDEA_FILTERS,
    ),
    retrieve=extend_schema(
        summary=_("One idea"),
        description=_(
            "An idea you may see (your own hidden ideas included), with the town's official "
            "answers, the latest first."
        ),
        responses=serializers.IdeaDetailSerializer,
    ),
)
class IdeaViewSet(IdeasOn, CommentsOfIdea, viewsets.GenericViewSet[Idea]):
    serializer_class = serializers.IdeaSerializer
    pagination_class = NumberedPage
    lookup_value_regex = ID

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        drf_request = super().initialize_request(request, *args, **kwargs)
        if self.action == "create":  # known only now; the body is not read yet
            drf_request.parsers = [parser() for parser in UPLOADS]
        return drf_request

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "create":  # the schema asks the view
            return [parser() for parser in UPLOADS]
        return super().get_parsers()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "threshold": self._threshold()}

    def _threshold(self) -> int:
        if not hasattr(self, "_support_threshold"):
            self._support_threshold = IdeaSettings.load().support_threshold
        return self._support_threshold

    def get_queryset(self) -> Any:
        filters = queries.Filters.from_query(self.request.query_params)
        ideas = queries.browse(self.request.user, filters)
        cards = ideas.select_related("category", "neighbourhood", "author")
        return _flagged(cards, self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(get_idea_for(request.user, int(pk))))

    def _detail(self, idea: Idea) -> dict[str, Any]:
        full = (
            _flagged(Idea.objects.filter(pk=idea.pk), self.request.user, following=True)
            .select_related("category", "neighbourhood", "author")
            .prefetch_related("answers")
            .get()
        )
        context = self.get_serializer_context()
        return dict(serializers.IdeaDetailSerializer(full, context=context).data)

    @extend_schema(
        summary=_("Submit an idea"),
        description=_(
            "A new idea, judged as on the site's form (title, description, category, "
            "neighbourhood). Send JSON, or multipart/form-data to add an image. You follow "
            "your idea from the start."
        ),
        request={
            "application/json": serializers.IdeaInputSerializer,
            "multipart/form-data": serializers.IdeaUploadSerializer,
        },
        responses={201: serializers.IdeaDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        user = me(request)
        ensure_may_contribute(user)  # a suspended resident is told so before anything else
        given = serializers.IdeaInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = IdeaForm(
            {key: value for key, value in given.validated_data.items() if value is not None},
            request.FILES,
        )
        if not form.is_valid():
            raise exceptions.ValidationError(form_errors(form))
        data = form.cleaned_data
        values = services.IdeaValues(
            title=data["title"],
            description=data["description"],
            category=data["category"],
            neighbourhood=data.get("neighbourhood"),
            image=form.checked_image,
            image_description=data.get("image_description", ""),
        )
        try:
            idea = services.submit_idea(user, values)
        except ValidationError as error:
            raise exceptions.ValidationError({"image": error.messages}) from error
        return Response(self._detail(idea), status=status.HTTP_201_CREATED)

    def _state(self, idea_pk: int) -> Response:
        user = self.request.user
        idea = _flagged(Idea.objects.filter(pk=idea_pk), user, following=True).get()
        return Response(serializers.IdeaStateSerializer(idea).data)

    @extend_schema(
        methods=["POST"],
        summary=_("Support an idea"),
        description=_("One support per resident, your own idea included."),
        request=None,
        responses={
            200: serializers.IdeaStateSerializer,
            403: OpenApiResponse(description=_("You may not support it; the reason says why.")),
            409: OpenApiResponse(description=_("You already support it: nothing changed.")),
        },
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Withdraw my support"),
        request=None,
        responses={200: serializers.IdeaStateSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def support(self, request: Request, pk: str) -> Response:
        idea = get_idea_for(request.user, int(pk))
        if request.method == "DELETE":
            services.withdraw_support(me(request), idea)
            return self._state(idea.pk)
        try:
            services.support(me(request), idea)
        except AlreadySupported as refusal:
            raise Conflict(refusal.message) from refusal
        return self._state(idea.pk)

    @extend_schema(
        methods=["POST"],
        summary=_("Follow an idea"),
        description=_("Be told when the town answers it."),
        request=None,
        responses={200: serializers.IdeaStateSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Stop following an idea"),
        request=None,
        responses={200: serializers.IdeaStateSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request: Request, pk: str) -> Response:
        idea = get_idea_for(request.user, int(pk))
        if request.method == "DELETE":
            services.unfollow(me(request), idea)
        else:
            services.follow(me(request), idea)
        return self._state(idea.pk)

    @extend_schema(
        summary=_("An idea's image"),
        description=_("The image file, for who may see the idea."),
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def image(self, request: Request, pk: str) -> HttpResponseBase:
        # The page's own view: the image is checked and sent one way only.
        return idea_pages.image(request._request, pk=int(pk))
