"""Mutual aid's API endpoints: thin views that read through mutual_aid.queries and
mutual_aid.access (the rules the pages use) and write through the services."""

from __future__ import annotations

from typing import Any, cast

from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.negotiation import AnyAccept
from accounts.api.pagination import CursorPage
from accounts.models import User
from mutual_aid import access, queries
from mutual_aid import views as mutual_aid_views
from mutual_aid.api import serializers
from mutual_aid.models import Post
from mutual_aid.posting import services as posting

ID = r"[0-9]+"


def me(request: Request) -> User:
    """The resident calling (every endpoint here requires one)."""
    return cast(User, request.user)


class ModuleOn:
    """An endpoint of mutual aid: not found while the town has the module off."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not access.module_enabled():
            raise exceptions.NotFound


class NewestFirst(CursorPage):
    ordering = ("-created_at", "-pk")


class LatestMessageFirst(CursorPage):
    ordering = ("-last_message_at", "-pk")


class OldestFirst(CursorPage):
    ordering = ("created_at", "pk")


@extend_schema_view(
    list=extend_schema(
        summary=_("Categories"),
        description=_("The categories a post can be in, in the town's order."),
    )
)
class CategoryViewSet(ModuleOn, viewsets.GenericViewSet[Any]):
    serializer_class = serializers.CategorySerializer
    pagination_class = None

    def list(self, request: Request) -> Response:
        categories = queries.enabled_categories()
        return Response(self.get_serializer(categories, many=True).data)


POST_FILTERS = [
    OpenApiParameter("q", str, description=_("Words to search for (in French, accents optional).")),
    OpenApiParameter("kind", str, enum=Post.Kind.values, description=_("Offers or requests.")),
    OpenApiParameter("category", str, description=_("A category's short name (its slug).")),
    OpenApiParameter("neighbourhood", int, description=_("A neighbourhood's id.")),
    OpenApiParameter(
        "from_date",
        OpenApiTypes.DATE,
        description=_("Still happening on or after this day (YYYY-MM-DD)."),
    ),
    OpenApiParameter(
        "include_closed", str, enum=["1"], description=_("1: closed and expired posts too.")
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary=_("Posts"),
        description=_(
            "The town's published posts, newest first, with the filters of the site's list. "
            "Open posts only, unless include_closed=1."
        ),
        parameters=POST_FILTERS,
    ),
    retrieve=extend_schema(
        summary=_("One post"),
        description=_("A post you may see (your own hidden posts included)."),
    ),
)
class PostViewSet(ModuleOn, viewsets.GenericViewSet[Post]):
    serializer_class = serializers.PostSerializer
    pagination_class = NewestFirst
    lookup_value_regex = ID

    def get_queryset(self) -> Any:
        filters = queries.Filters.from_query(self.request.query_params)
        return queries.with_cards(queries.browse(self.request.user, filters))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        post = access.get_post_for(request.user, int(pk))
        return Response(self.get_serializer(post).data)

    @extend_schema(
        summary=_("Publish a post"),
        description=_(
            "A new offer or request, open for 30 days. Photos are added on the site's page."
        ),
        request=serializers.PostInputSerializer,
        responses={201: serializers.PostSerializer},
    )
    def create(self, request: Request) -> Response:
        given = serializers.PostInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        post = posting.publish_post(me(request), **given.validated_data)
        return Response(
            self.get_serializer(self._card(post.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Change my post"),
        description=_("Change what you wrote in one of your posts: send only what changes."),
        request=serializers.PostInputSerializer(partial=True),
        responses={200: serializers.PostSerializer},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        post = access.get_post_for(request.user, int(pk), "edit")
        given = serializers.PostInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        posting.update_post(post, me(request), **given.validated_data)
        return Response(self.get_serializer(self._card(post.pk)).data)

    def _card(self, pk: int) -> Post:
        return queries.with_cards(Post.objects.filter(pk=pk)).get()


class PhotoView(ModuleOn, APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary=_("A post's photo"),
        description=_("The image file, for who may see the post."),
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        # The page's own view, so the photo is checked and sent one way only; DRF has set
        # the resident it authenticated (by key too) on the request it hands over.
        return mutual_aid_views.photo(request._request, pk=pk)
