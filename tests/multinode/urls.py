"""The multi-node harness's extra routes (node_settings.py): a page and a task that take the time
they are asked to, so that a node stopped meanwhile shows whether it finishes them."""

import time

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django_tasks import task


@task()
def slow_task(*, seconds: float) -> str:
    time.sleep(seconds)
    return "fini"


def slow_page(request):
    time.sleep(float(request.GET.get("secondes", "1")))
    return HttpResponse("fini")


def slow_task_enqueue(request):
    result = slow_task.enqueue(seconds=float(request.GET.get("secondes", "1")))
    return JsonResponse({"tache": str(result.id)})


urlpatterns = [
    path("__multinode__/lent/", slow_page),
    path("__multinode__/tache-lente/", slow_task_enqueue),
    path("", include("config.urls")),
]
