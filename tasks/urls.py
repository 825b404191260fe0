from django.urls import path, register_converter

from .inputs import IdConverter
from .views import imports, indicators, overdue, plans, review, roundups, units, work

app_name = "tasks"
register_converter(IdConverter, "id")  # every object id in a URL goes through tasks.inputs.parse_id

urlpatterns = [
    path("", work.home, name="home"),
    path("work/", work.my_work, name="my_work"),
    path("plans/import/", imports.plan_import_upload, name="plan_import"),
    path("plans/import/preview/", imports.plan_import_preview, name="plan_import_preview"),
    path("plans/import/confirm/", imports.plan_import_confirm, name="plan_import_confirm"),
    path("plans/import/cancel/", imports.plan_import_cancel, name="plan_import_cancel"),
    path("plans/<str:slug>/", plans.plan_detail, name="plan_detail"),
    path("key-tasks/<id:pk>/", plans.key_task_detail, name="key_task_detail"),
    path("indicators/<id:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("units/<id:pk>/", units.unit_detail, name="unit_detail"),
    path("items/<id:pk>/", work.work_item_detail, name="work_item_detail"),
    path("items/<id:pk>/report/", work.work_item_report, name="work_item_report"),
    path("items/<id:pk>/close/", work.work_item_close, name="work_item_close"),
    path("items/<id:pk>/extension/", work.work_item_extension, name="work_item_extension"),
    path("items/<id:pk>/comment/", work.work_item_comment_view, name="work_item_comment"),
    path("items/<id:pk>/review/", review.work_item_review, name="work_item_review"),
    path("evidence/<id:pk>/", work.evidence_download, name="evidence_download"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/accept/", review.review_bulk_accept, name="review_bulk_accept"),
    path("extensions/<id:pk>/decide/", review.extension_decide, name="extension_decide"),
    path("overdue/", overdue.overdue, name="overdue"),
    path("overdue/remind/", overdue.overdue_remind, name="overdue_remind"),
    path("roundups/", roundups.roundup_list, name="roundup_list"),
    path("roundups/<id:pk>/", roundups.roundup_detail, name="roundup_detail"),
    path("roundups/<id:pk>/xlsx/", roundups.roundup_xlsx, name="roundup_xlsx"),
    path("roundups/<id:pk>/pdf/", roundups.roundup_pdf, name="roundup_pdf"),
]
