"""Data rows of an XlsxWriter worksheet in constant-memory mode, written as one XML string per row.

XlsxWriter spends most of a large export on its own per-cell work (a checked call, a cell tuple in a
dict, a dispatch on the cell's class name, two regular-expression substitutions, an attribute list
and a file write per cell). A registry export only writes text, numbers and the occasional boolean,
so :class:`RowWriter` builds each row's ``<row>`` element itself and hands it to the worksheet's
row-data file, which XlsxWriter copies into ``<sheetData>`` when the workbook is closed. The XML is
the XML XlsxWriter writes for ``write_string`` / ``write_number`` / ``write_boolean`` (same escapes
of ``&<>`` and control characters as ``_xHHHH_``, ``xml:space="preserve"``, the 32,767-character
limit) — tests/resources/test_export_safety.py compares the two — with one difference: text is
*always* escaped. XlsxWriter writes a constant-memory string that starts with ``<r>`` and ends with
``</r>`` unescaped (as rich-text XML), so such a value could add cells, formulas included, to the
sheet.

Text is always a text cell (no formula, URL or number guessing); text that Excel would take for a
formula (core.cells) carries the quote-prefix format. Control characters that XML cannot hold are
dropped (core.cells.clean_text). Other values are written as their ``str``.

It uses these XlsxWriter internals (stable since XlsxWriter 0.x; the tests fail if they change):
``Worksheet.fh`` (the row-data file), ``previous_row``, ``_write_single_row`` (flushes a row
written through the public API) and ``_check_dimensions`` (the sheet's ``<dimension>``).

Pure: no Django.
"""

from __future__ import annotations

import math
import re

from .cells import FORMULA_TRIGGERS, clean_text

_STRMAX = 32767  # Excel's limit, in UTF-16 units
# What the plain path below cannot write as it is, besides what str.isprintable() rules out (control
# characters, non-characters, every whitespace but the space): XML's special characters and
# underscores (a literal "_x0041_" must be escaped).
_MARKUP = re.compile(r"[&<>_]")
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def column_name(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def _truncate(text: str) -> str:
    """At most 32,767 UTF-16 units, without splitting a character above U+FFFF."""
    if len(text) <= _STRMAX // 2 or len(text.encode("utf-16-le", "surrogatepass")) // 2 <= _STRMAX:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > _STRMAX:
            return text[:index]
    return text


def text_xml(text: str) -> tuple[str, bool]:
    """The cell text as XML character data, and whether it needs ``xml:space="preserve"``: the
    transformations XlsxWriter applies to an inline string, always including the XML escapes."""
    text = _ESCAPE_LIKE.sub(r"_x005F\1", _truncate(text))
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _EDGE_SPACE.search(text) is not None
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


class RowWriter:
    """Appends rows of plain values (str, int, float, bool; None or "" for an empty cell) to a
    constant-memory worksheet, from ``first_row`` (0-based) on, one row per call, each row starting
    at column A. Other values are written as their text."""

    def __init__(self, worksheet, quoted_format, columns: int, first_row: int):
        if not worksheet.constant_memory:
            raise ValueError("RowWriter needs a worksheet in constant_memory mode")
        self.ws = worksheet
        self.names = [column_name(c) for c in range(columns)]
        self.quoted = quoted_format
        self.quoted_attr = None
        self.next_row = first_row

    def write(self, values) -> None:
        ws, r = self.ws, self.next_row
        if ws.table:
            ws._write_single_row(r)  # flushes a row written through XlsxWriter's own API (the header)
        number = r + 1
        cells = []
        append = cells.append
        first = last = None
        names, markup = self.names, _MARKUP.search
        for col, value in enumerate(values):
            kind = value.__class__
            if kind is str and (value.isprintable() and markup(value) is None and value[:1] != " "
                                and value[-1:] != " " and len(value) <= _STRMAX // 2):
                if not value:
                    continue
                style = self._quoted() if value.startswith(FORMULA_TRIGGERS) else ""
                append(f'<c r="{names[col]}{number}"{style} t="inlineStr"><is><t>{value}</t></is></c>')
            elif value is None:
                continue
            elif kind is bool:
                append(f'<c r="{names[col]}{number}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or (kind is float and math.isfinite(value)):
                append(f'<c r="{names[col]}{number}"><v>{value:.16G}</v></c>')
            elif kind is not str and isinstance(value, (int, float)) and math.isfinite(value):
                append(f'<c r="{names[col]}{number}"><v>{value:.16G}</v></c>')  # an int or float subclass
            else:  # text needing escapes or trimming, and anything else (NaN, infinities, dates...) as its text
                cell = self._text_cell(names[col], number, value if kind is str else str(value))
                if cell is None:
                    continue
                append(cell)
            if first is None:
                first = col
            last = col
        if cells:
            ws._check_dimensions(r, first)
            ws._check_dimensions(r, last)
            ws.fh.write(f'<row r="{number}">{"".join(cells)}</row>')
        ws.previous_row = r
        self.next_row = r + 1

    def _text_cell(self, name: str, number: int, value: str) -> str | None:
        value = clean_text(value)
        if not value:
            return None
        body, preserve = text_xml(value)
        style = self._quoted() if value.startswith(FORMULA_TRIGGERS) else ""
        space = ' xml:space="preserve"' if preserve else ""
        return f'<c r="{name}{number}"{style} t="inlineStr"><is><t{space}>{body}</t></is></c>'

    def _quoted(self) -> str:
        if self.quoted_attr is None:
            self.quoted_attr = f' s="{self.quoted._get_xf_index()}"'
        return self.quoted_attr
