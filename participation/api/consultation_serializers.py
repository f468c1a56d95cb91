"""What the API shows of a consultation (its questionnaire, its files, one's answer), and the
shape of an answer it accepts. Never writes: the views hand answers to the answering service."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participation.api.answers import as_json
from participation.api.common import PlaceSerializer, absolute
from participation.consultations.answer_form import option_values
from participation.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
)

Kind = ConsultationQuestion.Kind


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    phase = serializers.SerializerMethodField(
        help_text=_("“upcoming” (not open yet), “open” or “closed”.")
    )
    answered = serializers.BooleanField(
        read_only=True, help_text=_("Whether you have answered it (see …/answer/).")
    )
    page = serializers.SerializerMethodField(help_text=_("The consultation's page on the site."))

    class Meta:
        model = Consultation
        fields = [
            "key",
            "title",
            "phase",
            "opens_at",
            "closes_at",
            "audience",
            "answered",
            "page",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["upcoming", "open", "closed"]))
    def get_phase(self, consultation: Consultation) -> str:
        return consultation.phase()

    def get_page(self, consultation: Consultation) -> str:
        path = reverse("consultations:detail", args=[consultation.key])
        return absolute(self.context, path)


class AttachmentSerializer(serializers.ModelSerializer[ConsultationAttachment]):
    url = serializers.SerializerMethodField(
        help_text=_("The file, for who may see the consultation.")
    )

    class Meta:
        model = ConsultationAttachment
        fields = ["id", "name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment: ConsultationAttachment) -> str:
        path = reverse(
            "participation_api:consultation-attachment",
            kwargs={"key": self.context["consultation"].key, "attachment": attachment.pk},
        )
        return absolute(self.context, path)


class ConditionSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(help_text=_("The id of the earlier question."))
    value = serializers.CharField(
        help_text=_("The answer to it (or, multiple choice, one of them) that shows this one.")
    )


class ScaleSerializer(serializers.Serializer[Any]):
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    min_label = serializers.CharField(help_text=_("The word for the lowest value."))
    max_label = serializers.CharField(help_text=_("The word for the highest value."))


class QuestionSerializer(serializers.ModelSerializer[ConsultationQuestion]):
    choices = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The options of a single or multiple choice or of a ranking, in order."),
    )
    allow_other = serializers.BooleanField(
        read_only=True, help_text=_('Single choice: {"other": "…"} is accepted.')
    )
    scale = serializers.SerializerMethodField(help_text=_("A scale's values and end words."))
    number_min = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    number_max = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    shown_if = serializers.SerializerMethodField(
        help_text=_("Asked only when an earlier answer is this value (null: always asked).")
    )

    class Meta:
        model = ConsultationQuestion
        fields = [
            "id",
            "kind",
            "label",
            "help_text",
            "required",
            "choices",
            "allow_other",
            "min_choices",
            "max_choices",
            "scale",
            "number_min",
            "number_max",
            "shown_if",
        ]
        read_only_fields = fields

    @extend_schema_field(ScaleSerializer(allow_null=True))
    def get_scale(self, question: ConsultationQuestion) -> dict[str, Any] | None:
        if question.kind != Kind.SCALE:
            return None
        values = option_values(question)
        return {
            "min": int(values[0]),
            "max": int(values[-1]),
            "min_label": question.scale_min_label,
            "max_label": question.scale_max_label,
        }

    @extend_schema_field(ConditionSerializer(allow_null=True))
    def get_shown_if(self, question: ConsultationQuestion) -> dict[str, Any] | None:
        if question.show_if_question_id is None:
            return None
        return {"question": question.show_if_question_id, "value": question.show_if_value}


class SectionSerializer(serializers.ModelSerializer[ConsultationSection]):
    questions = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationSection
        fields = ["id", "title", "description", "questions"]
        read_only_fields = fields

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, section: ConsultationSection) -> list[dict[str, Any]]:
        # The consultation's questions, read once for all its sections.
        mine = [q for q in self.context["questions"] if q.section_id == section.pk]
        return list(QuestionSerializer(mine, many=True).data)


class ConsultationDetailSerializer(ConsultationSerializer):
    context_html = serializers.CharField(
        read_only=True, help_text=_("The town's presentation: HTML, already cleaned.")
    )
    communes = PlaceSerializer(
        many=True, read_only=True, help_text=_("Only their residents may answer (empty: all).")
    )
    attachments = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField(help_text=_("The questionnaire, in order."))
    may_answer = serializers.BooleanField(
        read_only=True, help_text=_("Whether you may answer now.")
    )
    refusal = serializers.CharField(
        read_only=True, help_text=_("Why you may not answer now (empty when you may).")
    )

    class Meta(ConsultationSerializer.Meta):
        fields = [
            *ConsultationSerializer.Meta.fields,
            "context_html",
            "communes",
            "attachments",
            "sections",
            "may_answer",
            "refusal",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, consultation: Consultation) -> list[dict[str, Any]]:
        context = {**self.context, "consultation": consultation}
        return list(
            AttachmentSerializer(consultation.attachments.all(), many=True, context=context).data
        )

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, consultation: Consultation) -> list[dict[str, Any]]:
        context = {**self.context, "questions": list(consultation.questions.all())}
        return list(SectionSerializer(consultation.sections.all(), many=True, context=context).data)


class MyAnswerSerializer(serializers.ModelSerializer[ConsultationResponse]):
    consultation = serializers.SlugRelatedField[Consultation](slug_field="key", read_only=True)
    answers = serializers.SerializerMethodField(
        help_text=_("Your answers by question id, in the shape you send them.")
    )
    may_change = serializers.SerializerMethodField(
        help_text=_("Whether you may still change it (until the consultation closes).")
    )

    class Meta:
        model = ConsultationResponse
        fields = ["consultation", "answers", "submitted_at", "updated_at", "may_change"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_answers(self, response: ConsultationResponse) -> dict[str, Any]:
        return as_json(response.consultation, response.answers)

    def get_may_change(self, response: ConsultationResponse) -> bool:
        return response.consultation.is_open


class ConsultationAnswerInputSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_(
            'Your answers by question id. Single choice: the option, or {"other": "…"}; '
            'multiple choice: a list of options; ranking: {"option": rank}, each option its '
            'own rank from 1; scale: a whole number; yes/no: "yes" or "no"; number: a '
            'number; date: "YYYY-MM-DD"; text: text. A question that is not shown (its '
            "condition unmet) is left out."
        ),
    )
