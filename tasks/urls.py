from django.urls import path

from .views import breakdown, imports, indicators, overdue, plans, review, roundups, targets, units, work

app_name = "tasks"

urlpatterns = [
    path("", work.home, name="home"),
    path("work/", work.my_work, name="my_work"),
    path("plans/import/", imports.plan_import_upload, name="plan_import"),
    path("plans/import/preview/", imports.plan_import_preview, name="plan_import_preview"),
    path("plans/import/confirm/", imports.plan_import_confirm, name="plan_import_confirm"),
    path("plans/import/columns/", imports.plan_import_columns, name="plan_import_columns"),
    path("plans/import/cancel/", imports.plan_import_cancel, name="plan_import_cancel"),
    path("plans/<str:slug>/", plans.plan_detail, name="plan_detail"),
    path("key-tasks/<int:pk>/", plans.key_task_detail, name="key_task_detail"),
    path("indicators/<int:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/breakdown/<int:year>/", targets.indicator_breakdown, name="indicator_breakdown"),
    path("indicators/<int:pk>/share-report/", targets.share_report, name="share_report"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("items/<int:pk>/", work.work_item_detail, name="work_item_detail"),
    path("items/<int:pk>/report/", work.work_item_report, name="work_item_report"),
    path("items/<int:pk>/close/", work.work_item_close, name="work_item_close"),
    path("items/<int:pk>/extension/", work.work_item_extension, name="work_item_extension"),
    path("items/<int:pk>/comment/", work.work_item_comment_view, name="work_item_comment"),
    path("items/<int:pk>/review/", review.work_item_review, name="work_item_review"),
    path("items/<int:pk>/break-down/", breakdown.work_item_break_down_view, name="work_item_break_down"),
    path("items/<int:pk>/sign/", breakdown.work_item_sign_view, name="work_item_sign"),
    path("items/<int:pk>/waive/", breakdown.work_item_waive_view, name="work_item_waive"),
    path("items/<int:pk>/support-done/", breakdown.work_item_support_done_view, name="work_item_support_done"),
    path("evidence/<int:pk>/", work.evidence_download, name="evidence_download"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/accept/", review.review_bulk_accept, name="review_bulk_accept"),
    path("extensions/<int:pk>/decide/", review.extension_decide, name="extension_decide"),
    path("overdue/", overdue.overdue, name="overdue"),
    path("overdue/remind/", overdue.overdue_remind, name="overdue_remind"),
    path("overdue/choices/<str:field>/", overdue.overdue_choices, name="overdue_choices"),
    path("roundups/", roundups.roundup_list, name="roundup_list"),
    path("roundups/<int:pk>/", roundups.roundup_detail, name="roundup_detail"),
    path("roundups/<int:pk>/xlsx/", roundups.roundup_xlsx, name="roundup_xlsx"),
    path("roundups/<int:pk>/pdf/", roundups.roundup_pdf, name="roundup_pdf"),
]
