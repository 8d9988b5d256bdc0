import pytest

from tests.conftest import CITY, HAIZHOU, ZHANGWU


@pytest.fixture
def duty_units(db):
    from yingji.regions.models import Organisation

    return {
        "city": Organisation.objects.create(name="阜新市应急管理局", kind="bureau", division_code=CITY),
        "zhangwu": Organisation.objects.create(name="彰武县应急管理局", kind="bureau", division_code=ZHANGWU),
        "haizhou": Organisation.objects.create(name="海州区应急管理局", kind="bureau", division_code=HAIZHOU),
        "police": Organisation.objects.create(name="阜新市公安局", kind="department", division_code=CITY),
    }
