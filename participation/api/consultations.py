"""The API's consultations: the list, one with its questionnaire and files, one's answer.

Reads go through participation.consultations.access (who sees what, who may answer), an
answer is judged by the page's own form (participation.api.answers) and written by
participation.consultations.answering, as on the consultation's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Value
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.negotiation import AnyAccept
from accounts.api.pagination import CursorPage
from participation.api import answers
from participation.api import consultation_serializers as serializers
from participation.api.common import ConsultationsOn, me
from participation.consultations import answering
from participation.consultations import views as consultation_pages
from participation.consultations.access import (
    NotAllowed,
    ensure_may_answer,
    get_consultation_for,
    is_member,
    listed_for,
)
from participation.consultations.models import Consultation, ConsultationResponse

KEY = r"[A-Za-z0-9_-]+"
ATTACHMENT = "(?P<attachment>[0-9]+)"


class LatestOpeningFirst(CursorPage):
    ordering = ("-opens_at", "-pk")


def _answered(user: Any) -> Any:
    if not is_member(user):
        return Value(False)
    return Exists(ConsultationResponse.objects.filter(consultation=OuterRef("pk"), respondent=user))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Consultations"),
        description=gettext_lazy(
            "The town's published consultations, the latest opening first: open, upcoming and "
            "closed ones (see phase). A guest sees none listed: a consultation open to anyone "
            "is reached through its link."
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One consultation"),
        description=gettext_lazy(
            "Its presentation, its files and its questionnaire: sections, questions with "
            "their kind, options, bounds and conditions. A guest may read one open to anyone "
            "with the link."
        ),
    ),
)
class ConsultationViewSet(ConsultationsOn, viewsets.GenericViewSet[Consultation]):
    serializer_class = serializers.ConsultationSerializer
    pagination_class = LatestOpeningFirst
    lookup_field = "key"
    lookup_value_regex = KEY

    def get_permissions(self) -> Sequence[Any]:
        if self.action in ("list", "retrieve", "attachment"):
            # What the pages show a guest (access decides): nothing listed, and a
            # consultation open to anyone with its link.
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        return listed_for(self.request.user).annotate(answered=_answered(self.request.user))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=serializers.ConsultationDetailSerializer)
    def retrieve(self, request: Request, key: str) -> Response:
        consultation = get_consultation_for(request.user, key)
        consultation = (
            Consultation.objects.filter(pk=consultation.pk)
            .annotate(answered=_answered(request.user))
            .prefetch_related("communes", "attachments", "sections", "questions")
            .get()
        )
        consultation.refusal = self._refusal(request, consultation)  # type: ignore[attr-defined]
        consultation.may_answer = not consultation.refusal  # type: ignore[attr-defined]
        data = serializers.ConsultationDetailSerializer(
            consultation, context=self.get_serializer_context()
        ).data
        return Response(data)

    def _refusal(self, request: Request, consultation: Consultation) -> str:
        if not is_member(request.user):
            return _("Log in, or send your key, to answer through the API.")
        try:
            ensure_may_answer(request.user, consultation)
        except NotAllowed as refused:
            return refused.message
        return ""

    @extend_schema(
        methods=["GET"],
        summary=gettext_lazy("My answer"),
        description=gettext_lazy("Your answer to this consultation, if you gave one."),
        responses={
            200: serializers.MyAnswerSerializer,
            404: OpenApiResponse(description=gettext_lazy("You have not answered it.")),
        },
    )
    @extend_schema(
        methods=["POST"],
        summary=gettext_lazy("Answer a consultation"),
        description=gettext_lazy(
            "Send your answers, judged as on the consultation's page: required questions, "
            "bounds, options, ranks and conditions. One answer per resident: sending again "
            "while it is open replaces yours. Through the API an account is needed, even "
            "for a consultation open to anyone with the link (a browser without an account "
            "answers on the page)."
        ),
        request=serializers.ConsultationAnswerInputSerializer,
        responses={
            201: serializers.MyAnswerSerializer,
            200: OpenApiResponse(
                serializers.MyAnswerSerializer,
                description=gettext_lazy("Your earlier answer is replaced."),
            ),
            400: OpenApiResponse(
                description=gettext_lazy("What is wrong, under each question's id.")
            ),
            403: OpenApiResponse(
                description=gettext_lazy(
                    "You may not answer (not open yet, closed, not for you); the reason says why."
                )
            ),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def answer(self, request: Request, key: str) -> Response:
        consultation = get_consultation_for(request.user, key)
        if request.method == "POST":
            return self._send(request, consultation)
        found = answering.response_of(consultation, request.user, "")
        if found is None:
            raise exceptions.NotFound(_("You have not answered this consultation."))
        return Response(serializers.MyAnswerSerializer(found).data)

    def _send(self, request: Request, consultation: Consultation) -> Response:
        given = serializers.ConsultationAnswerInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # Refused before anything is judged, as the page does (not open, not for you).
        ensure_may_answer(me(request), consultation)
        try:
            form = answers.form_for(consultation, given.validated_data["answers"])
        except answers.AnswerShapeError as error:
            raise exceptions.ValidationError({"answers": error.errors}) from error
        if not form.is_valid():
            raise exceptions.ValidationError({"answers": answers.form_errors(form)})
        saved, created = answering.submit_answer(
            consultation, user=me(request), browser_key="", answers=form.answers
        )
        data = serializers.MyAnswerSerializer(saved).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary=gettext_lazy("A consultation's file"),
        description=gettext_lazy("The file itself, for who may see the consultation."),
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=f"attachments/{ATTACHMENT}",
        content_negotiation_class=AnyAccept,
    )
    def attachment(self, request: Request, key: str, attachment: str) -> HttpResponseBase:
        # The page's own view, so the file is checked and sent one way only; DRF has set the
        # resident it authenticated (by key too) on the request it hands over.
        return consultation_pages.attachment(request._request, key=key, pk=int(attachment))
