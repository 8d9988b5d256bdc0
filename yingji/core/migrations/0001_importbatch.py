"""ImportBatch moves from the resources app to core. The table keeps its name
(``resources_importbatch``), so this migration changes Django's state only: existing databases
keep their rows, and a fresh database gets the table from resources.0002."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('resources', '0002_importbatch'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('registry', models.CharField(max_length=40, verbose_name='登记类别')),
                        ('filename', models.CharField(max_length=200, verbose_name='文件名')),
                        ('content', models.BinaryField(blank=True, default=b'', verbose_name='文件内容')),
                        ('dry_run', models.BooleanField(default=False, verbose_name='仅校验')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '处理中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='总行数')),
                        ('result', models.JSONField(blank=True, null=True, verbose_name='结果')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
                    ],
                    options={
                        'verbose_name': '导入批次',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'resources_importbatch',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
