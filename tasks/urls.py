from django.urls import path

from .views import plans, roundups

app_name = "tasks"

urlpatterns = [
    path("", plans.home, name="home"),
    path("plans/<slug:slug>/", plans.plan_detail, name="plan_detail"),
    path("key-tasks/<int:pk>/", plans.key_task_detail, name="key_task_detail"),
    path("indicators/<int:pk>/", plans.indicator_detail, name="indicator_detail"),
    path("units/<int:pk>/", plans.unit_detail, name="unit_detail"),
    path("items/<int:pk>/", plans.work_item_detail, name="work_item_detail"),
    path("roundups/", roundups.roundup_list, name="roundup_list"),
    path("roundups/<int:pk>/", roundups.roundup_detail, name="roundup_detail"),
    path("roundups/<int:pk>/xlsx/", roundups.roundup_xlsx, name="roundup_xlsx"),
    path("roundups/<int:pk>/pdf/", roundups.roundup_pdf, name="roundup_pdf"),
]
