"""Limits on uploaded spreadsheets, checked before anything is expanded or parsed.

An .xlsx file is a zip archive: a few kilobytes can declare gigabytes of XML (a "zip bomb"), and
a sheet of millions of rows keeps the importer busy for hours. So, before openpyxl opens it:

* the file itself is at most ``YINGJI_IMPORT_MAX_BYTES`` (default 10 MB);
* the sizes its zip directory declares add up to at most ``YINGJI_IMPORT_MAX_UNZIPPED_BYTES``
  (default 100 MB), no member is compressed more than ``MAX_RATIO`` : 1 (real sheets compress
  about 5–20 : 1; bombs a thousand times more) and there are at most ``MAX_MEMBERS`` members;
  Python's zipfile never expands a member beyond the size the directory declares, so checking
  the declared sizes bounds the real work;
* while the rows are read, at most ``YINGJI_IMPORT_MAX_ROWS`` (default 100,000) data rows.

Each refusal is a Chinese ValidationFailed naming the limit; nothing of the file is stored.
"""

from __future__ import annotations

import io
import zipfile
from typing import Iterable, Iterator

from django.conf import settings

from .errors import ValidationFailed

MAX_RATIO = 200
MAX_MEMBERS = 1000


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]}, code="file_too_large")


def check_spreadsheet(content: bytes, filename: str) -> None:
    limit = settings.YINGJI_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise _refuse(f"文件过大（{len(content) / 1048576:.1f} MB），单个导入文件不超过 {limit / 1048576:.0f} MB；"
                      "请拆分后分批导入")
    if (filename or "").lower().endswith(".csv") or not content.startswith(b"PK"):
        return
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile:
        return  # not a zip: the reader says what is wrong with it
    if len(members) > MAX_MEMBERS:
        raise _refuse(f"文件结构异常：包含 {len(members)} 个部件（上限 {MAX_MEMBERS}），已拒绝")
    total = sum(m.file_size for m in members)
    unzipped = settings.YINGJI_IMPORT_MAX_UNZIPPED_BYTES
    if total > unzipped:
        raise _refuse(f"文件解压后过大（{total / 1048576:.0f} MB，上限 {unzipped / 1048576:.0f} MB）："
                      "请删除无关工作表或拆分后分批导入")
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _refuse(f"文件结构异常：部件 {member.filename} 压缩比超过 {MAX_RATIO}:1（疑似压缩炸弹），已拒绝")


def limited_rows(rows: Iterable, max_rows: int | None = None) -> Iterator:
    """Pass rows through, refusing the file once it has more data rows than allowed."""
    max_rows = settings.YINGJI_IMPORT_MAX_ROWS if max_rows is None else max_rows
    for count, row in enumerate(rows, start=1):
        if count > max_rows:
            raise _refuse(f"数据行过多：超过 {max_rows:,} 行，请拆分后分批导入")
        yield row
