"""Demo step (13): the Fuxin city installation has registered 彰武县's installation as its child
(synthetic; the credential is not shown and no county installation runs in the demo), so the
warnings and 督办 tasks later steps publish for 彰武县 wait in the queue as they would while a
county installation is offline."""

from __future__ import annotations

from yingji.core import records
from yingji.demo.steps import demo_step

from . import signing
from .models import ChildLink

ZHANGWU = "210922000000"


@demo_step(13, "上下级平台对接（示例：彰武县平台）")
def load_links() -> int:
    if ChildLink.objects.filter(division_code=ZHANGWU).exists():
        return 0
    key_id, secret, _ = signing.new_credential()
    records.create_record(records.SYSTEM, ChildLink, {"name": "彰武县应急管理综合应用平台（示例）", "division_code": ZHANGWU},
                          server={"key_id": key_id, "secret": secret, "is_synthetic": True}, note="示例：签发下级平台凭据")
    return 1
