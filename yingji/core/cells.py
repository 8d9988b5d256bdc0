"""Cell values for spreadsheets we write: formula injection and characters Excel cannot hold.

OWASP "CSV Injection": a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return may be evaluated as a formula by Excel/WPS/LibreOffice when a member of staff
opens an export. Every text value a user could have typed is therefore written as text:

* in .xlsx the cell is typed as a string and carries Excel's *quote prefix* flag (what Excel
  itself sets when one types ``'=1+1``): the cell shows ``=1+1`` and is never evaluated;
* in .csv, where no type exists, the value is prefixed with an apostrophe, as OWASP advises.

Control characters other than tab, line feed and carriage return are not allowed in the
XML of an .xlsx file (openpyxl refuses the whole workbook), so they are dropped from every
exported text — one pasted control character must not break every later export.

Pure: no Django, no openpyxl import at module level.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """Drop the control characters that XML 1.0 (and so .xlsx) cannot carry."""
    return _ILLEGAL_XML.sub("", value)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_value(value):
    """A value safe to write into a CSV cell."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if is_formula_like(value) else value


def xlsx_value(value):
    """A value safe to write into an .xlsx cell (cleaned; formula-like text still needs the quote
    prefix: `protect_xlsx_cell` for openpyxl, a ``quote_prefix`` format for XlsxWriter)."""
    return clean_text(value) if isinstance(value, str) else value


def protect_xlsx_cell(cell) -> None:
    """Make an openpyxl cell holding formula-like text a plain text cell (quote prefix)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def append_protected(ws, values) -> None:
    """`ws.append` for a normal (not write-only) worksheet, with every cell protected."""
    ws.append([xlsx_value(v) for v in values])
    for cell in ws[ws.max_row]:
        protect_xlsx_cell(cell)
