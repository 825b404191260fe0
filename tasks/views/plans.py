from django.http import HttpResponse


def home(request):
    return HttpResponse("ok")


plan_detail = key_task_detail = indicator_detail = unit_detail = work_item_detail = home
