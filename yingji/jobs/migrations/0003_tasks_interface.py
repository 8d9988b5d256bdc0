"""The home-made job queue gives way to Django's Tasks interface (django_tasks / django_tasks_db).

``Job`` becomes ``TaskRun`` (same table rows and ids, so the pages of finished exports and documents
keep working): the queue's own columns (kind, run_at, locks) go, the task's path and the id of its
latest task result come. Every job still queued or running is handed to the database backend as a
task due at its old ``run_at`` (deadline checks, exchange deliveries, imports...); a job of a kind no
task knows is marked failed with the reason."""

import datetime
import uuid

from django.db import migrations, models

TASK_PATHS = {
    "resources.import": "yingji.core.batches.run_import_job",
    "core.export": "yingji.core.exports.run_export_job",
    "warnings.target": "yingji.warnings.bulk.run",
    "incidents.check_deadlines": "yingji.incidents.deadline_service.check_deadlines_job",
    "incidents.document": "yingji.incidents.document_jobs.run_document_job",
    "exchange.sync": "yingji.exchange.delivery.deliver",
}


def hand_over(apps, schema_editor):
    TaskRun = apps.get_model("jobs", "TaskRun")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for run in TaskRun.objects.all().iterator():
        run.task_path = TASK_PATHS.get(run.kind, run.kind)
        if run.status in ("queued", "running"):
            if run.kind not in TASK_PATHS:
                run.status, run.last_error = "failed", f"升级时没有对应的后台任务：{run.kind}"
            else:
                result = DBTaskResult.objects.create(
                    id=uuid.uuid4(), args_kwargs={"args": [run.pk], "kwargs": {}}, priority=0,
                    task_path=run.task_path, queue_name="default", backend_name="default",
                    run_after=run.run_at or datetime.datetime.now(datetime.timezone.utc))
                run.status, run.task_result_id = "queued", str(result.id)
        run.save(update_fields=["task_path", "status", "last_error", "task_result_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0002_job_progress"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RenameModel("Job", "TaskRun"),
        migrations.AddField("taskrun", "task_path", models.CharField(db_index=True, default="", max_length=200),
                            preserve_default=False),
        migrations.AddField("taskrun", "task_result_id", models.CharField(blank=True, db_index=True, max_length=64)),
        migrations.AddField("taskrun", "worker", models.CharField(blank=True, max_length=100)),
        migrations.AddField("taskrun", "lease_until", models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(hand_over, migrations.RunPython.noop),
        migrations.RemoveIndex("taskrun", "jobs_job_status_f5c023_idx"),
        migrations.RemoveField("taskrun", "kind"),
        migrations.RemoveField("taskrun", "run_at"),
        migrations.RemoveField("taskrun", "locked_by"),
        migrations.RemoveField("taskrun", "locked_until"),
        migrations.AlterField("taskrun", "status", models.CharField(
            choices=[("queued", "排队"), ("running", "执行中"), ("retrying", "等待重试"), ("done", "完成"),
                     ("failed", "失败"), ("cancelled", "已取消")], default="queued", max_length=10)),
        migrations.AddIndex("taskrun", models.Index(fields=["status", "lease_until"], name="jobs_taskru_status_58a76d_idx")),
    ]
