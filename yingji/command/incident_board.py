"""What the incidents board shows about command for each open incident: the active response
level and the tasks still open (the incidents app calls :func:`summaries`)."""

from collections import Counter

from yingji.core import scope

from .models import Response, Task

OPEN_TASK_STATES = ("issued", "accepted", "in_progress")


def summaries(user, incident_ids) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = {}
    for response in scope.visible(Response.objects.filter(incident_id__in=incident_ids, state="active"), user):
        lines.setdefault(response.incident_id, []).append(f"{response.get_level_display()}响应中")
    tasks = scope.visible(Task.objects.filter(incident_id__in=incident_ids, state__in=OPEN_TASK_STATES), user)
    for incident_id, count in Counter(tasks.values_list("incident_id", flat=True)).items():
        lines.setdefault(incident_id, []).append(f"未完成任务 {count} 项")
    return lines
