"""A consultation's results through the API (/api/v1/consultations/<key>/results/): the
published results for anyone who may read the published page, the live results for the town's
staff, 404 otherwise, as the pages decide (participation.consultations.publication)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation.consultations import access, publication, results_cache


class ResultRowSerializer(serializers.Serializer[Any]):
    # "label" is also a Field attribute to the type stubs; on a serializer it is just a field.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The option (or the value of a scale).")
    )
    count = serializers.IntegerField(
        help_text=_("People who chose it; for a ranking, its points (see the description).")
    )
    percent = serializers.FloatField(
        help_text=_(
            "Share of the people who answered the question, in %; for a ranking, of those "
            "who put it first."
        )
    )
    average_rank = serializers.CharField(help_text=_("Ranking only: its average rank."))
    firsts = serializers.IntegerField(help_text=_("Ranking only: people who put it first."))


class ResultFigureSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(help_text=_("In French notation (a decimal comma)."))

    def to_representation(self, instance: Any) -> dict[str, str]:
        label, value = instance
        return {"label": str(label), "value": str(value)}


class QuestionResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="question_id")
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField(help_text=_("The type of question."))
    answered = serializers.IntegerField(help_text=_("People who answered this question."))
    rows = ResultRowSerializer(many=True)
    summary = ResultFigureSerializer(many=True, help_text=_("Numbers, scales and dates: figures."))
    texts = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Written answers: to the public, only those the town published (the latest)."),
    )
    texts_total = serializers.IntegerField(source="text_total")


class ResultGroupSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    answers = serializers.IntegerField(source="count")


class ConsultationResultsSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    published = serializers.BooleanField(
        help_text=_("False: live results, which only the town's staff may read.")
    )
    conclusion_html = serializers.CharField(
        help_text=_("The town's conclusion once published (allowed HTML only), else empty.")
    )
    neighbourhood = ResultGroupSerializer(
        allow_null=True, help_text=_("The group shown, if chosen.")
    )
    neighbourhoods = ResultGroupSerializer(
        many=True, help_text=_("The groups one may choose (to the public: 5 answers or more).")
    )
    answers = serializers.IntegerField(allow_null=True)
    paper_answers = serializers.IntegerField(allow_null=True)
    questions = QuestionResultSerializer(many=True)


class ModuleOn:
    """An endpoint of consultations: not found while the town has the module off."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not access.module_enabled():
            raise exceptions.NotFound


class ConsultationResultsView(ModuleOn, APIView):
    # Published results are for anyone on the town's site; get_results_for decides.
    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("A consultation's results"),
        description=_(
            "Once the town published them: counts and percentages per question and the "
            "written answers it published, by neighbourhood (or member commune) if asked; a "
            "group of fewer than 5 answers is not shown on its own. The town's staff get the "
            "live results at any time. Ranking: an option gets n points for a first place "
            "among n options, n - 1 for a second, down to 1."
        ),
        parameters=[
            OpenApiParameter(
                "neighbourhood", int, description=_("A neighbourhood's (or member commune's) id.")
            )
        ],
        responses={
            200: ConsultationResultsSerializer,
            404: OpenApiResponse(description=_("No results you may read at this address.")),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        consultation = publication.get_results_for(request.user, key)
        public = not access.is_staff(request.user)
        if public and consultation.results_published_at is None:
            raise exceptions.NotFound
        group_id = results_cache.group_from(request.query_params.get("neighbourhood"))
        page = results_cache.page(consultation, public=public, group_id=group_id)
        results = page.results
        data = {
            "key": consultation.key,
            "title": consultation.title,
            "published": consultation.results_published_at is not None,
            "conclusion_html": consultation.conclusion_html
            if consultation.conclusion_published_at
            else "",
            "neighbourhood": page.chosen if page.chosen and page.chosen.shown else None,
            "neighbourhoods": page.shown_groups,
            "answers": results.total if results else None,
            "paper_answers": results.paper if results else None,
            "questions": results.questions if results else [],
        }
        return Response(ConsultationResultsSerializer(data).data)
