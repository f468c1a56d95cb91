"""The CSV conventions of every file we hand a town: UTF-8 with a byte order mark and
semicolons, what a French Excel or LibreOffice opens as it is (accents and columns right). A
cell that a spreadsheet would run as a formula is kept as text. Here, at the lowest floor, so
that the town's own downloads (townsite.csv_files) and the data export (tenants.exports) share
them."""

from __future__ import annotations

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
