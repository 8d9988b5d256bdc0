"""``yingji createuser NAME --role ROLE --region CODE --password PW [--full-name N]``."""

from yingji.accounts.services import create_user
from yingji.core.errors import ServiceError
from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "创建用户"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--role", required=True, help="角色中文名或代码，如 值班员 / duty_officer")
        parser.add_argument("--region", required=True, help="管辖区划代码，如 210922")
        parser.add_argument("--password", required=True)
        parser.add_argument("--full-name")

    def handle(self, name, role, region, password, full_name=None, **options):
        try:
            user = create_user(None, name, password, role, region, full_name=full_name or "")
        except ServiceError as exc:
            self.fail(exc.message)
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}，{user.region_code}）")
