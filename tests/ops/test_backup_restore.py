"""The restore drill: back up while records are being written, restore into an empty database,
the audit chain verifies on the restored copy and no record committed before the backup began
is missing. Runs on the engine of DATABASE_URL (SQLite online backup / pg_dump + pg_restore)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.ops.conftest import COPIES_TEST_DB
from tests.databases import Database
from tests.ops.drill import env_for, yingji

WRITER = """
import sys, django
django.setup()
from yingji.core import records
from yingji.regions.models import Organisation
i = 0
while True:
    org = records.create_record(records.SYSTEM, Organisation, {"name": f"演练单位{i}", "kind": "other",
                                "division_code": "210922000000"}, note="恢复演练写入")
    print(org.pk, flush=True)  # printed only after the commit
    i += 1
"""


def committed(path) -> list[int]:
    lines = path.read_text().split("\n")[:-1]  # the last piece may be a line still being written
    return [int(line) for line in lines if line.strip().isdigit()]


@pytest.fixture
def databases(tmp_path):
    made = []

    def make(purpose):
        db = Database(tmp_path, purpose)
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


@COPIES_TEST_DB
def test_backup_under_writes_restores_completely_and_verifies(tmp_path, migrated, databases):
    source, target = migrated("drill_src"), databases("drill_dst")
    data = tmp_path / "data"  # the audit key lives here: the restored copy is verified with the same key
    data.mkdir()
    src_env, dst_env = env_for(source, data), env_for(target, data)

    out = tmp_path / "writer.out"
    with open(out, "w") as handle:
        writer = subprocess.Popen([sys.executable, "-c", WRITER], env=src_env, cwd=REPO, stdout=handle,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while len(committed(out)) < 30:
            assert writer.poll() is None, out.read_text()[-2000:]
            assert time.monotonic() < deadline, "the writer did not get going"
            time.sleep(0.1)
        before = committed(out)  # committed before the backup began
        backup = yingji(src_env, "backup", str(tmp_path / "drill.backup"))
        assert backup.returncode == 0, backup.stderr
        during = committed(out)
        time.sleep(0.3)  # writes go on after the backup
    finally:
        writer.terminate()
        writer.wait(10)
    summary = json.loads(backup.stdout)
    assert summary["engine"] == source.vendor and summary["bytes"] > 0
    assert len(during) > len(before), "no write ran while the backup was taken"

    restored = yingji(dst_env, "restore", str(tmp_path / "drill.backup"))
    assert restored.returncode == 0, restored.stderr
    verify = yingji(dst_env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout)["ok"] is True

    names = {row[0] for row in target.sql("SELECT name FROM regions_organisation WHERE name LIKE '演练单位%%'")}
    ids = {row[0] for row in target.sql("SELECT id FROM regions_organisation WHERE name LIKE '演练单位%%'")}
    assert set(before) <= ids, f"committed before the backup but missing: {sorted(set(before) - ids)[:10]}"
    assert len(names) == len(ids)
    # Every restored record came with its audit entry (a snapshot never has a record without it).
    audited = target.sql("SELECT COUNT(DISTINCT object_id) FROM audit_auditentry WHERE model = %s AND action = %s",
                         ("regions.Organisation", "create"))[0][0]
    assert audited >= len(ids)

    # A second restore into the now populated database is refused; nothing is mixed.
    again = yingji(dst_env, "restore", str(tmp_path / "drill.backup"))
    assert again.returncode == 1 and "不是空库" in again.stderr
    assert target.sql("SELECT COUNT(*) FROM regions_organisation WHERE name LIKE '演练单位%%'")[0][0] == len(ids)


def test_backup_refuses_to_overwrite_and_restore_refuses_a_foreign_file(tmp_path, databases):
    db = databases("drill_misc")
    env = env_for(db, tmp_path)
    existing = tmp_path / "exists.backup"
    existing.write_text("x")
    refused = yingji(env, "backup", str(existing))
    assert refused.returncode == 1 and "已存在" in refused.stderr
    assert existing.read_text() == "x"
    foreign = yingji(env, "restore", str(existing))
    assert foreign.returncode == 1 and "不是 Yingji 备份文件" in foreign.stderr
