"""A plan's full text: extraction from an uploaded .docx (python-docx), .pdf (pypdf) or .txt, and a
readable line diff between two versions (difflib, with changed characters marked)."""

from __future__ import annotations

import difflib
import io
import zipfile

from django.conf import settings

from yingji.core.errors import ValidationFailed

MAX_MEMBERS, MAX_RATIO = 2000, 200


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]}, code="invalid_file")


def _check_zip(content: bytes) -> None:
    """A .docx is a zip archive: refuse archive bombs before python-docx expands anything."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse("无法读取该 .docx 文件（文件已损坏或不是 Word 文档）") from exc
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > settings.YINGJI_IMPORT_MAX_UNZIPPED_BYTES or any(
            m.file_size > 1_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise _refuse("文件结构异常（解压后过大或压缩比异常），已拒绝")


def _docx_text(content: bytes) -> str:
    import docx  # python-docx: imported on use (a heavy document library)

    _check_zip(content)
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a broken file
        raise _refuse("无法读取该 .docx 文件（文件已损坏或不是 Word 文档）") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(content: bytes) -> str:
    import pypdf  # imported on use (a heavy document library)

    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise _refuse("PDF 文件已加密，无法提取正文：请上传未加密的文件")
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise _refuse("无法读取该 PDF 文件（文件已损坏）") from exc


def extract_text(file_name: str, content: bytes) -> str:
    name = (file_name or "").lower()
    limit = settings.YINGJI_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise _refuse(f"文件过大（{len(content) / 1048576:.1f} MB），预案全文不超过 {limit / 1048576:.0f} MB")
    if name.endswith(".docx"):
        text = _docx_text(content)
    elif name.endswith(".pdf"):
        text = _pdf_text(content)
    elif name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    elif name.endswith(".doc"):
        raise _refuse("不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传")
    else:
        raise _refuse("只支持 .docx、.pdf 或 .txt 文件")
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    if not text.strip():
        raise _refuse("未能从文件中提取到文字（可能是扫描件）：请上传含文字层的文件")
    return text.strip()


def diff(old: str, new: str) -> list[dict]:
    """Rows of a readable diff: ``op`` is "same", "removed", "added" or "changed"; a changed line
    carries ``parts`` [(op, text)] marking the characters that differ. Long unchanged runs are
    folded to their first and last lines."""
    a, b = old.split("\n"), new.split("\n")
    rows: list[dict] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            run = a[i1:i2]
            if len(run) > 6:
                rows += [{"op": "same", "text": t} for t in run[:2]]
                rows.append({"op": "fold", "text": f"（{len(run) - 4} 行未改动）"})
                rows += [{"op": "same", "text": t} for t in run[-2:]]
            else:
                rows += [{"op": "same", "text": t} for t in run]
        elif tag == "replace":
            # pair similar lines as changed (characters marked); the rest are removed / added
            old_lines, new_lines = a[i1:i2], b[j1:j2]
            for x, y in zip(old_lines, new_lines):
                if difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.5:
                    rows.append({"op": "changed", "old": _parts(x, y, "delete"), "new": _parts(x, y, "insert")})
                else:
                    rows += [{"op": "removed", "text": x}, {"op": "added", "text": y}]
            rows += [{"op": "removed", "text": t} for t in old_lines[len(new_lines):]]
            rows += [{"op": "added", "text": t} for t in new_lines[len(old_lines):]]
        else:
            rows += [{"op": "removed", "text": t} for t in a[i1:i2]]
            rows += [{"op": "added", "text": t} for t in b[j1:j2]]
    return rows


def _parts(x: str, y: str, side: str) -> list[tuple[bool, str]]:
    """(changed?, text) pieces of one side of a changed line."""
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append((False, x[i1:i2]))
        elif side == "delete" and tag in ("delete", "replace"):
            parts.append((True, x[i1:i2]))
        elif side == "insert" and tag in ("insert", "replace"):
            parts.append((True, y[j1:j2]))
    return parts


def snippet(text: str, query: str, width: int = 40) -> str:
    at = text.lower().find(query.lower())
    if at < 0:
        return ""
    start = max(0, at - width)
    return ("…" if start else "") + text[start:at + len(query) + width].replace("\n", " ") + "…"
