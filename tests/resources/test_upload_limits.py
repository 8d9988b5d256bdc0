"""Spreadsheet uploads are bounded before they are expanded: file size, declared unzipped size,
compression ratio (zip bombs) and data rows (issue 13, finding 6)."""

from __future__ import annotations

import io
import resource
import zipfile

import pytest

from tests.conftest import ZHANGWU

pytestmark = pytest.mark.django_db


def _bomb(unzipped_mb: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unzipped_mb):
                member.write(chunk)
    return buf.getvalue()


@pytest.fixture
def admin(make_user):
    return make_user("zw_admin", "county_admin", ZHANGWU)


def _import(user, content, name="teams.xlsx"):
    from yingji.core.batches import start_import

    return start_import(user, "teams", content, name)


def test_zip_bomb_is_refused_before_expansion(admin):
    from yingji.core.errors import ValidationFailed
    from yingji.core.models import ImportBatch

    bomb = _bomb(120)
    assert len(bomb) < 1024 * 1024  # a small upload...
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValidationFailed, match="解压后过大"):
        _import(admin, bomb)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # ...never expanded (KB)
    assert not ImportBatch.objects.exists()


def test_extreme_compression_ratio_is_refused(admin):
    from yingji.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="压缩比超过"):
        _import(admin, _bomb(5))


def test_oversized_file_is_refused(admin, settings):
    from yingji.core.errors import ValidationFailed

    settings.YINGJI_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed, match="单个导入文件不超过"):
        _import(admin, b"x" * 2000, "teams.csv")


def test_too_many_rows_are_refused_with_nothing_written(admin, settings):
    from yingji.core.errors import ValidationFailed
    from yingji.core.importer import run_import
    from yingji.core.registry import REGISTRIES
    from yingji.resources.models import RescueTeam

    from tests.resources.test_import import TEAM_HEADERS, team_row

    settings.YINGJI_IMPORT_MAX_ROWS = 3
    lines = [",".join(TEAM_HEADERS)] + [",".join(str(v) for v in team_row(f"队{i}")) for i in range(5)]
    with pytest.raises(ValidationFailed, match="数据行过多"):
        run_import(admin, REGISTRIES["teams"], "\r\n".join(lines).encode("utf-8"), "teams.csv")
    assert not RescueTeam.objects.exists()


def test_api_answers_the_limit_as_json(admin, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client(admin).post("/api/v1/teams/import", {"file": SimpleUploadedFile("teams.xlsx", _bomb(120))})
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_too_large"
