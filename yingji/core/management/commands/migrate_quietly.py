"""``yingji migrate``: apply every database migration, quietly and without questions."""

from django.core.management import call_command

from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "执行数据库迁移"

    def handle(self, **options):
        call_command("migrate", interactive=False, verbosity=0)
