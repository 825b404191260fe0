from django.urls import path

from .views import imports, plans

app_name = "tasks"

urlpatterns = [
    path("", plans.home, name="home"),
    path("plans/import/", imports.plan_import_upload, name="plan_import"),
    path("plans/import/preview/", imports.plan_import_preview, name="plan_import_preview"),
    path("plans/import/confirm/", imports.plan_import_confirm, name="plan_import_confirm"),
    path("plans/import/cancel/", imports.plan_import_cancel, name="plan_import_cancel"),
    path("plans/<str:slug>/", plans.plan_detail, name="plan_detail"),
    path("key-tasks/<int:pk>/", plans.key_task_detail, name="key_task_detail"),
    path("indicators/<int:pk>/", plans.indicator_detail, name="indicator_detail"),
    path("units/<int:pk>/", plans.unit_detail, name="unit_detail"),
    path("items/<int:pk>/", plans.work_item_detail, name="work_item_detail"),
]
