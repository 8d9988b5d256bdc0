"""Demo step 1: users of every role, organisations and enterprises of Fuxin (synthetic)."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password

from yingji.accounts.models import User
from yingji.regions.models import Enterprise, Organisation
from yingji.rules.incident_types import special_hqs
from yingji.rules.uscc import make_uscc

from .places import point_in_county, township_of
from .steps import DEMO_PASSWORD, SEED, demo_step

CITY = "210900000000"
FUXIN_COUNTIES = {
    "210902": "海州区", "210903": "新邱区", "210904": "太平区", "210905": "清河门区",
    "210911": "细河区", "210921": "阜新蒙古族自治县", "210922": "彰武县",
}
# username, role, role label, region, description
DEMO_USERS = [
    ("admin", "sysadmin", "系统管理员", CITY, "阜新市"),
    ("city", "city_admin", "市级管理员", CITY, "阜新市应急管理局"),
    ("zhangwu", "county_admin", "县区管理员", "210922000000", "彰武县应急管理局"),
    ("fumeng", "county_admin", "县区管理员", "210921000000", "阜新蒙古族自治县应急管理局"),
    ("duty", "duty_officer", "值班员", CITY, "阜新市应急管理局值班室"),
    ("duty_zw", "duty_officer", "值班员", "210922000000", "彰武县应急管理局值班室"),
    ("commander", "commander", "指挥员", CITY, "阜新市应急指挥部"),
    ("supervisor", "supervisor", "监管人员", CITY, "阜新市应急管理局危化科"),
    ("qiye", "enterprise", "企业用户", None, "示例企业安全负责人"),
    ("viewer", "readonly", "只读", CITY, "阜新市（只读）"),
    ("xinxiyuan", "info_officer", "灾害信息员", "210922100201", "彰武镇示例村灾害信息员"),
]
CITY_DEPARTMENTS = [
    "阜新市应急管理局", "阜新市公安局", "阜新市消防救援支队", "阜新市卫生健康委员会", "阜新市自然资源局",
    "阜新市水利局", "阜新市气象局", "阜新市交通运输局", "阜新市住房和城乡建设局", "阜新市工业和信息化局",
    "阜新市生态环境局", "阜新市农业农村局", "阜新市林业和草原局", "阜新市教育局", "阜新市民政局",
    "阜新市商务局", "阜新市文化旅游和广播电视局", "阜新市通信发展管理办公室", "国网阜新供电公司",
]
FLUORINE_PARK = "阜新氟产业开发区"
FLUORINE_PRODUCTS = ["氟化工", "含氟精细化学品", "氟材料", "氢氟酸", "含氟医药中间体", "氟聚合物", "电子级氟化物", "制冷剂"]
OTHER_HAZCHEM = ["液化气储配站", "化工仓储", "燃气", "化学试剂", "油品储运", "工业气体"]


def _organisations() -> list[Organisation]:
    rows = [Organisation(name=name, kind="bureau" if "应急管理局" in name else "department", division_code=CITY,
                         duty_phone=f"0418-{2800000 + i * 137:07d}", is_synthetic=True)
            for i, name in enumerate(CITY_DEPARTMENTS)]
    rows.append(Organisation(name="阜新市突发事件应急指挥部（总指挥部）", kind="command", division_code=CITY,
                             lead_unit="阜新市人民政府", notes="统一领导全市突发事件应对工作", is_synthetic=True))
    for hq in special_hqs():
        rows.append(Organisation(
            name=f"阜新市{hq.name}应急专项指挥部", kind="special_hq",
            category="natural" if hq.kind == "natural" else "work_safety", division_code=CITY,
            lead_unit="阜新市应急管理局", notes=f"负责{hq.name}类突发事件的预防和处置", is_synthetic=True,
        ))
    for i, (code, name) in enumerate(FUXIN_COUNTIES.items()):
        rows.append(Organisation(name=f"{name}应急管理局", kind="bureau", division_code=code.ljust(12, "0"),
                                 duty_phone=f"0418-{3100000 + i * 211:07d}", is_synthetic=True))
        rows.append(Organisation(name=f"{name}突发事件应急指挥部", kind="command", division_code=code.ljust(12, "0"),
                                 lead_unit=f"{name}人民政府", is_synthetic=True))
    return rows


def _enterprise(rng: random.Random, index: int, name: str, industry: str, county: str, park: str = "",
                near=None, spread=0.0) -> Enterprise:
    lon, lat = point_in_county(rng, county, near=near, spread=spread)
    return Enterprise(
        name=name, uscc=make_uscc("9", "1", county, f"MA{index:07d}"), industry=industry,
        scale=rng.choice(["large", "medium", "medium", "small"]), park=park,
        address=f"{FUXIN_COUNTIES[county]}示例路{rng.randint(1, 300)}号", legal_representative=f"法人{index:02d}",
        safety_manager=f"安全员{index:02d}", phone=f"1390418{index:04d}", lon=lon, lat=lat,
        division_code=township_of(lon, lat, county), is_synthetic=True,
    )


def _enterprises(rng: random.Random) -> list[Enterprise]:
    rows = []
    park_centre = (121.80, 42.10)
    for i in range(24):
        product = FLUORINE_PRODUCTS[i % len(FLUORINE_PRODUCTS)]
        rows.append(_enterprise(rng, i + 1, f"阜新示例{product}有限公司{i + 1:02d}", "hazchem", "210921",
                                park=FLUORINE_PARK, near=park_centre, spread=0.05))
    counties = ["210902", "210903", "210904", "210905", "210911", "210922"]
    for i in range(13):
        county = counties[i % len(counties)]
        kind = OTHER_HAZCHEM[i % len(OTHER_HAZCHEM)]
        rows.append(_enterprise(rng, 25 + i, f"{FUXIN_COUNTIES[county]}示例{kind}有限公司", "hazchem", county))
    others = [("coal_mine", "煤业"), ("non_coal_mine", "矿业"), ("manufacturing", "机械制造"), ("gas_station", "加油站"),
              ("metallurgy", "铸造"), ("construction", "建筑工程")]
    for i in range(18):
        industry, word = others[i % len(others)]
        county = list(FUXIN_COUNTIES)[i % len(FUXIN_COUNTIES)]
        rows.append(_enterprise(rng, 40 + i, f"{FUXIN_COUNTIES[county]}示例{word}公司{i + 1:02d}", industry, county))
    return rows


@demo_step(10, "组织机构")
def load_organisations() -> int:
    if Organisation.objects.filter(is_synthetic=True).exists():
        return 0
    rows = _organisations()
    Organisation.objects.bulk_create(rows)
    return len(rows)


@demo_step(11, "企业")
def load_enterprises() -> int:
    if Enterprise.objects.filter(is_synthetic=True).exists():
        return 0
    rows = _enterprises(random.Random(SEED))
    Enterprise.objects.bulk_create(rows)
    return len(rows)


@demo_step(12, "演示账号")
def load_users() -> int:
    created = 0
    password = make_password(DEMO_PASSWORD)
    first_enterprise = Enterprise.objects.filter(is_synthetic=True).order_by("pk").first()
    for username, role, _, region, description in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        enterprise = first_enterprise if role == "enterprise" else None
        User.objects.create(
            username=username, password=password, role=role, full_name=description,
            region_code=region or (enterprise.division_code if enterprise else CITY),
            enterprise=enterprise,
        )
        created += 1
    return created
