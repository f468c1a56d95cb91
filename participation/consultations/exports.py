"""A consultation's answers as open data: one table (CSV, XLSX, JSON) under Licence Ouverte 2.0.

One row per answer, numbered in the order answers came (never the database id), with the day
only, the channel, the commune, and one column per question. Nothing that names or traces a
person is read at all: no account, name, email, browser key nor address. Free-text answers
(and "other, please specify") are included only once staff published them after review
(participation.consultations.text_reviews); a withheld or not yet reviewed text is left out.
Four queries whatever the number of answers.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from participation.consultations.answer_form import YES, Kind
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationResponse,
)
from participation.consultations.text_reviews import published_texts
from tenants import schema
from tenants.models import Collectivite
from townsite.csv_files import csv_response

LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
JOIN = " | "


@dataclass
class Column:
    key: str  # "Q1", "Q2"... in questionnaire order
    question: ConsultationQuestion

    @property
    def heading(self) -> str:
        return f"{self.key}. {self.question.label}"


@dataclass
class Row:
    number: int
    answered_on: datetime.date
    channel: str  # "online" / "paper"
    commune: str
    values: list[Any] = field(default_factory=list)  # one per column: str, list, number, None


@dataclass
class OpenData:
    title: str
    town: str
    opens_on: datetime.date
    closes_on: datetime.date
    made_on: datetime.date
    columns: list[Column]
    rows: list[Row]

    @property
    def filename_stem(self) -> str:
        return f"consultation-{slugify(self.title)[:60] or 'reponses'}-reponses"


def _town_name() -> str:
    town = schema.current_tenant()
    if not isinstance(town, Collectivite):  # schema_context() activates a stand-in tenant
        town = Collectivite.objects.filter(schema_name=schema.current_schema()).first()
    return town.name if town is not None else ""


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def open_data(consultation: Consultation) -> OpenData:
    """The consultation's answers as open data, in the order they came."""
    columns = [
        Column(f"Q{number}", question)
        for number, question in enumerate(consultation.questions.all(), start=1)
    ]
    texts = published_texts(consultation)
    answers = (
        ConsultationResponse.objects.filter(consultation=consultation)
        .order_by("submitted_at", "pk")
        .values_list("pk", "submitted_at", "channel", "neighbourhood__name", "answers")
    )
    rows = []
    for number, (pk, submitted_at, channel, commune, given) in enumerate(answers, start=1):
        values = [_value(column.question, (given or {}).get(str(column.question.pk)),
                         texts.get((pk, column.question.pk))) for column in columns]  # fmt: skip
        rows.append(Row(number, _day(submitted_at), channel, commune or "", values))
    return OpenData(
        title=consultation.title,
        town=_town_name(),
        opens_on=_day(consultation.opens_at),
        closes_on=_day(consultation.closes_at),
        made_on=timezone.localdate(),
        columns=columns,
        rows=rows,
    )


def _value(question: ConsultationQuestion, value: Any, published: str | None) -> Any:
    """An answer as open data: choices by their labels, lists in order, texts if published."""
    if value in (None, "", []):
        return None
    kind = question.kind
    if kind in TEXT_KINDS:
        return published  # None unless reviewed, published, and unchanged since
    if kind == Kind.SINGLE and isinstance(value, dict):  # "other": its text once published
        return _("Other: %(text)s") % {"text": published} if published else _("Other")
    if kind == Kind.YES_NO:
        return _("Yes") if value == YES else _("No")
    if kind in (Kind.MULTIPLE, Kind.RANKING):
        return [str(choice) for choice in value] if isinstance(value, list) else None
    if kind in (Kind.NUMBER, Kind.SCALE):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    return str(value)  # a date (ISO), a single choice's label


def _cell(column: Column, value: Any) -> str | int | float:
    """A value in one spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        if column.question.kind == Kind.RANKING:
            return JOIN.join(f"{rank}. {choice}" for rank, choice in enumerate(value, start=1))
        return JOIN.join(value)
    return value


def _channel(code: str) -> str:
    return str(ConsultationResponse.Channel(code).label)


def _header(data: OpenData) -> list[str]:
    return [_("Number"), _("Day answered"), _("Channel"), _("Commune or neighbourhood")] + [
        column.heading for column in data.columns
    ]


def _about(data: OpenData) -> list[tuple[str, str]]:
    """What the file is, said in it (the XLSX's first sheet, the JSON's fields)."""
    return [
        (_("Consultation"), data.title),
        (_("Town"), data.town),
        (_("Open from"), data.opens_on.isoformat()),
        (_("Until"), data.closes_on.isoformat()),
        (_("Number of answers"), str(len(data.rows))),
        (_("File made on"), data.made_on.isoformat()),
        (_("Licence"), f"{LICENCE_NAME} — {LICENCE_URL}"),
        (
            _("What the file holds"),
            _(
                "One row per answer, online or on paper. No name, email address or other "
                "personal data. Written answers are included only once the town has read "
                "and published them."
            ),
        ),
    ]


# --- The three formats ---------------------------------------------------------------------


def csv_file(data: OpenData) -> HttpResponse:
    """A plain table (what data.gouv.fr asks of a CSV: the header on the first line)."""
    rows = (
        [row.number, row.answered_on.isoformat(), _channel(row.channel), row.commune]
        + [_cell(column, value) for column, value in zip(data.columns, row.values, strict=True)]
        for row in data.rows
    )
    return csv_response(f"{data.filename_stem}.csv", _header(data), rows)


def xlsx_file(data: OpenData) -> HttpResponse:
    """Two sheets: what the file is and its licence, then the answers. Every answer is written
    as text or a number, never as a formula (XlsxWriter's strings_to_formulas off)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {"title": data.title, "company": data.town, "comments": f"{LICENCE_NAME} {LICENCE_URL}"}
    )
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    about = book.add_worksheet(_("About this file"))
    about.set_column(0, 0, 24)
    about.set_column(1, 1, 90)
    for line, (label, value) in enumerate(_about(data)):
        about.write_string(line, 0, label, bold)
        about.write_string(line, 1, value)
    sheet = book.add_worksheet(_("Answers"))
    for index, heading in enumerate(_header(data)):
        sheet.write_string(0, index, heading, bold)
    sheet.freeze_panes(1, 0)
    for line, row in enumerate(data.rows, start=1):
        sheet.write_number(line, 0, row.number)
        sheet.write_datetime(
            line, 1, datetime.datetime.combine(row.answered_on, datetime.time()), day
        )
        sheet.write_string(line, 2, _channel(row.channel))
        sheet.write_string(line, 3, row.commune)
        for offset, (column, value) in enumerate(zip(data.columns, row.values, strict=True)):
            cell = _cell(column, value)
            if isinstance(cell, int | float):
                sheet.write_number(line, 4 + offset, cell)
            elif cell:
                sheet.write_string(line, 4 + offset, cell)
    book.close()
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{data.filename_stem}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def json_document(data: OpenData) -> dict[str, Any]:
    return {
        "consultation": data.title,
        "town": data.town,
        "opens_on": data.opens_on.isoformat(),
        "closes_on": data.closes_on.isoformat(),
        "answer_count": len(data.rows),
        "made_on": data.made_on.isoformat(),
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "questions": [
            {"key": column.key, "label": column.question.label, "type": column.question.kind}
            for column in data.columns
        ],
        "answers": [
            {
                "number": row.number,
                "answered_on": row.answered_on.isoformat(),
                "channel": row.channel,
                "commune": row.commune,
                "answers": {
                    column.key: value
                    for column, value in zip(data.columns, row.values, strict=True)
                    if value is not None
                },
            }
            for row in data.rows
        ],
    }


def json_file(data: OpenData) -> HttpResponse:
    response = HttpResponse(
        json.dumps(json_document(data), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{data.filename_stem}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


FORMATS = {"csv": csv_file, "xlsx": xlsx_file, "json": json_file}
