"""Spreadsheet import for every registry, driven by its ``Registry`` declaration.

* ``template_xlsx(registry)`` — a workbook with the Chinese headers of the registry's form
  fields (drop-down lists for choices) and a 填写说明 sheet.
* ``run_import(user, registry, content, filename)`` — reads .xlsx or .csv (UTF-8 or GB18030),
  converts each cell the way staff write it (choice labels, related records by name or code,
  是/否, Excel dates, division names, a 坐标系 column: WGS84 / CGCS2000 / GCJ02 / BD09), then
  writes every row through the registry's own ``create`` / ``update`` (so the normal scope
  check, validation, location check and audit apply) inside ONE transaction. Any error anywhere
  rolls everything back: all rows or none. Errors name the Excel row and column, in Chinese.

A 编号 column, when filled, updates that existing record (an export can be edited and
re-imported); left empty, the row is a new record. Columns the export adds for reading
(合成示例数据, 原始坐标系 next to 坐标系) are accepted and ignored.

The columns and the template live in :mod:`yingji.core.import_columns`, reading files and
converting cells in :mod:`yingji.core.import_cells`; this module runs the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.db import transaction
from openpyxl.utils import get_column_letter

from . import records, scope
from .errors import ServiceError
from .import_cells import CellError, RowConverter, _text, blank, read_table
from .import_columns import Column, _instructions, columns, template_xlsx  # noqa: F401  (re-exported)
from .registry import Registry

IGNORED_LABELS = {"合成示例数据"}
MAX_REPORTED_ERRORS = 500
PROGRESS_EVERY = 200


@dataclass
class RowError:
    row: int
    column: str
    header: str
    message: str

    def text(self) -> str:
        where = f"第{self.row}行" + (f" {self.column}列「{self.header}」" if self.column else "")
        return f"{where}：{self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header, "message": self.message, "text": self.text()}


@dataclass
class ImportResult:
    registry: str
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        if not self.ok:
            return f"导入失败：共 {self.error_count} 处错误，未导入任何记录（全部成功才会导入）。请修改后重新上传。"
        verb = "校验通过，可以导入" if self.dry_run else "导入成功"
        return f"{verb}：共 {self.total} 行，新增 {self.created} 条，更新 {self.updated} 条。"

    def as_dict(self) -> dict:
        return {"registry": self.registry, "ok": self.ok, "dry_run": self.dry_run, "total": self.total,
                "created": self.created, "updated": self.updated, "error_count": self.error_count,
                "errors": [e.as_dict() for e in self.errors], "summary": self.summary()}


class _Rollback(Exception):
    pass



def _map_headers(registry: Registry, headers: list[str]) -> tuple[dict[int, Column], list[RowError]]:
    cols = columns(registry)
    by_label = {}
    for col in cols:
        by_label[col.label] = col
        by_label[col.name] = col
    by_label["原始坐标系"] = None  # an export's informational column; 坐标系 decides
    mapping, errors, seen = {}, [], {}
    for index, raw in enumerate(headers):
        label = raw.rstrip("*＊").strip()
        if not label or label in IGNORED_LABELS:
            continue
        letter = get_column_letter(index + 1)
        if label not in by_label:
            errors.append(RowError(1, letter, raw, f"未知列“{raw}”；可用列：{'、'.join(c.label for c in cols)}"))
            continue
        col = by_label[label]
        if col is None:
            continue
        if col.name in seen:
            errors.append(RowError(1, letter, raw, f"列“{col.label}”重复（已在 {seen[col.name]} 列）"))
            continue
        seen[col.name] = letter
        mapping[index] = col
    if "原始坐标系" in [h.strip() for h in headers] and "coord_source" not in seen:
        index = [h.strip() for h in headers].index("原始坐标系")
        mapping[index] = next(c for c in cols if c.name == "coord_source")
        seen["coord_source"] = get_column_letter(index + 1)
    missing = [c.label for c in cols if c.required and c.name not in seen]
    if missing:
        errors.append(RowError(1, "", "", f"缺少必填列：{'、'.join(missing)}（请使用本系统下载的模板）"))
    return mapping, errors


def _field_errors(registry: Registry, exc: ServiceError, letters: dict[str, tuple[str, str]], row: int) -> list[RowError]:
    """Place a service error on the row's cells. A service's own detailed message (scope, stock,
    location) is kept whole; form messages go to each field's column."""
    fields = {k: v for k, v in (exc.fields or {}).items() if v}
    if not fields:
        return [RowError(row, "", "", exc.message)]
    first = next(iter(fields))
    detailed = exc.code != "validation_failed" or (
        len(fields) == 1 and len(fields[first]) == 1 and not exc.message.endswith(str(fields[first][0])))
    if detailed:
        letter, header = letters.get(first, ("", ""))
        return [RowError(row, letter, header, exc.message)]
    errors = []
    for name, messages in fields.items():
        letter, header = letters.get(name, ("", ""))
        prefix = ""
        if not letter and name != "__all__":
            try:
                prefix = f"{registry.model._meta.get_field(name).verbose_name}："
            except Exception:  # noqa: BLE001 - unknown names are shown as they are
                prefix = f"{name}："
        errors.extend(RowError(row, letter, header, f"{prefix}{m}") for m in messages)
    return errors


def run_import(user, registry: Registry, content: bytes, filename: str, *, dry_run: bool = False,
               progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a spreadsheet into ``registry``: every row or none. Never raises for bad rows —
    the result lists them; raises ``ServiceError`` only when the file itself cannot be read or
    the user may not write this registry at all."""
    scope.check_can_create(registry.model, user)
    result = ImportResult(registry=registry.key, dry_run=dry_run)
    headers, rows = read_table(content, filename)
    mapping, header_errors = _map_headers(registry, headers)
    if header_errors:
        result.errors, result.error_count = header_errors, len(header_errors)
        return result
    rows = [(n, values) for n, values in rows if not all(blank(v) for v in values)]
    result.total = len(rows)
    if not rows:
        result.errors = [RowError(2, "", "", "文件中没有数据行")]
        result.error_count = 1
        return result
    letters = {col.name: (get_column_letter(i + 1), col.label) for i, col in mapping.items()}
    if "coord_source" in letters:
        letters.setdefault("lon", letters["coord_source"])
    converter = RowConverter(user, registry)

    def add(errors: list[RowError]) -> None:
        result.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(result.errors)
        if room > 0:
            result.errors.extend(errors[:room])

    pending: list[tuple[int, dict, object]] = []  # new records, validated, inserted together
    bulk = registry.creates_in_bulk()
    try:
        with records.write_batch() as batch:  # audit entries chained in memory, inserted at the end
            for done, (row_number, values) in enumerate(rows, start=1):
                data, pk, cell_errors = _row_data(converter, mapping, values, row_number)
                if cell_errors:
                    add(cell_errors)
                elif pk is None and bulk:
                    try:
                        pending.append((row_number, data, registry.prepare_create(user, data)))
                    except ServiceError as exc:
                        add(_field_errors(registry, exc, letters, row_number))
                else:
                    mark = batch.mark()
                    try:
                        with transaction.atomic():
                            if pk is None:
                                registry.create(user, data)
                                result.created += 1
                            else:
                                registry.update(user, registry.get(user, pk), data)
                                result.updated += 1
                    except ServiceError as exc:
                        batch.discard(mark)  # the row was rolled back to its savepoint
                        add(_field_errors(registry, exc, letters, row_number))
                if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
                    progress(done, len(rows))
            if pending and not result.error_count:
                result.created += _insert(user, registry, pending, batch, letters, add)
            if result.error_count or dry_run:
                raise _Rollback
            records.log_event(user, "import", None, model_label=registry.model._meta.label,
                              division_code=user.region_code,
                              note=f"导入{registry.label}：新增 {result.created} 条，更新 {result.updated} 条（{filename}）")
    except _Rollback:
        if result.error_count:
            result.created = result.updated = 0
    return result


def _insert(user, registry: Registry, pending: list, batch, letters, add) -> int:
    """Insert the validated new records in multi-row INSERTs. When the database refuses them (two
    rows of the file, or a row and a record saved meanwhile, share a unique key), insert them one
    by one instead, through the registry's own create, so that each refused row is named with
    the model's own message."""
    mark = batch.mark()
    try:
        records.insert_prepared(user, [obj for _, _, obj in pending])
        return len(pending)
    except ServiceError:
        batch.discard(mark)
    created = 0
    for row_number, data, _ in pending:
        mark = batch.mark()
        try:
            with transaction.atomic():
                registry.create(user, data)
                created += 1
        except ServiceError as exc:
            batch.discard(mark)
            add(_field_errors(registry, exc, letters, row_number))
    return created


def _row_data(converter: RowConverter, mapping: dict[int, Column], values: list, row_number: int):
    data, errors, pk = {}, [], None
    for index, col in mapping.items():
        value = values[index] if index < len(values) else None
        letter = get_column_letter(index + 1)
        try:
            text = _text(value)
        except CellError as exc:
            errors.append(RowError(row_number, letter, col.label, str(exc)))
            continue
        if col.name == "id":
            if text:
                if not text.isdigit():
                    errors.append(RowError(row_number, letter, col.label, f"编号“{text}”应为整数"))
                else:
                    pk = int(text)
            continue
        if text == "" and col.name != "coord_source":
            if col.required:
                errors.append(RowError(row_number, letter, col.label, "必填，不能为空"))
            continue
        try:
            data[col.name] = converter.convert(col.name, value)
        except CellError as exc:
            errors.append(RowError(row_number, letter, col.label, str(exc)))
    return data, pk, errors
