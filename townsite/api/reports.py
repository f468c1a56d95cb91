"""The API's reports (/api/v1/reports/): a resident reports a post, a message or a person,
through the moderation's own service (townsite.moderation.reporting), as its page does."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from townsite.moderation import reporting
from townsite.moderation.errors import AlreadyReported, ContributionRefused, ModerationError
from townsite.moderation.models import Reason, Report


class AlreadyReportedConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_reported"


class ReportInputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        max_length=40,
        help_text=_(
            "What is reported: “annonce” (a post), “message”, “personne” (a person), "
            "“idee” (an idea) or “commentaire-idee” (a comment on an idea)."
        ),
    )
    target_id = serializers.CharField(max_length=64, help_text=_("Its id."))
    reason = serializers.ChoiceField(choices=Reason.choices, help_text=_("Why."))
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What is wrong, in a few words (needed with the reason “other”)."),
    )


class ReportSerializer(serializers.ModelSerializer[Report]):
    kind = serializers.CharField(source="target_kind", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "kind", "target_id", "reason", "details", "status", "created_at"]
        read_only_fields = fields


class ReportViewSet(viewsets.GenericViewSet[Report]):
    serializer_class = ReportSerializer

    @extend_schema(
        summary=_("Report something"),
        description=_(
            "Tell the moderators about a post, a message or a person. You cannot report your "
            "own content, nor what you cannot see; one open report per thing."
        ),
        request=ReportInputSerializer,
        responses={
            201: ReportSerializer,
            404: OpenApiResponse(description=_("Nothing you may report has this id.")),
            409: OpenApiResponse(description=_("You have already reported it.")),
        },
    )
    def create(self, request: Request) -> Response:
        given = ReportInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            made = reporting.report(
                request.user,  # type: ignore[arg-type]
                data["kind"],
                data["target_id"],
                reason=data["reason"],
                details=data["details"],
            )
        except AlreadyReported as error:
            raise AlreadyReportedConflict(error.message) from error
        except ContributionRefused:
            raise  # a refusal: 403 with its reason (accounts.api.exceptions)
        except ModerationError as error:
            raise exceptions.ValidationError({"details": [error.message]}) from error
        return Response(ReportSerializer(made).data, status=status.HTTP_201_CREATED)
