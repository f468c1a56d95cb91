"""CSV downloads for a spreadsheet, with the conventions of tenants.csv_files (UTF-8 with a byte
order mark, semicolons, formulas kept as text)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from tenants.csv_files import BOM, DELIMITER, FORMULA_STARTS, safe_cell

__all__ = ["FORMULA_STARTS", "csv_response", "safe_cell"]


def csv_response(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A download of `filename` (with its .csv) holding the header and the rows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write(BOM)
    writer = csv.writer(response, delimiter=DELIMITER)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response
