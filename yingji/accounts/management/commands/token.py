"""``yingji token NAME [--label L]``: print a new API token for the user."""

from yingji.accounts.services import get_user, issue_token
from yingji.core.errors import ServiceError
from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "为用户签发 API 令牌"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--label", default="命令行签发")

    def handle(self, name, label, **options):
        try:
            user = get_user(name)
        except ServiceError as exc:
            self.fail(exc.message)
        self.stdout.write(issue_token(user, label))
