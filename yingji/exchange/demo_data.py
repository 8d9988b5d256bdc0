"""Demo step (13): the installation has registered its focus unit's installation as its child
(Fuxin: 彰武县; synthetic; the credential is not shown and no child installation runs in the demo),
so the warnings and 督办 tasks later steps publish for that unit wait in the queue as they would
while a county installation is offline."""

from __future__ import annotations

from yingji.core import records
from yingji.demo import profile
from yingji.demo.steps import demo_step

from . import signing
from .models import ChildLink


@demo_step(13, "上下级平台对接（示例：下级平台）")
def load_links() -> int:
    unit = profile.focus(profile.current())
    if ChildLink.objects.filter(division_code=unit.code12).exists():
        return 0
    key_id, secret, _ = signing.new_credential()
    records.create_record(records.SYSTEM, ChildLink, {"name": f"{unit.name}应急管理综合应用平台（示例）", "division_code": unit.code12},
                          server={"key_id": key_id, "secret": secret, "is_synthetic": True}, note="示例：签发下级平台凭据")
    return 1
