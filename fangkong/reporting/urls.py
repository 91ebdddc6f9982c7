from django.urls import path

from fangkong.reporting import views

app_name = "reporting"

urlpatterns = [
    path("checkin/", views.my_checkin, name="my-checkin"),
    path("checkin/<int:pk>/", views.checkin_detail, name="checkin-detail"),
    path("checkin/<int:pk>/correct/", views.checkin_correct, name="checkin-correct"),
    path("day/", views.day, name="day"),
    path("day/export.xlsx", views.day_export, name="day-export"),
    path("day/enter/", views.enter_checkin, name="enter-checkin"),
    path("import/", views.import_checkins, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("flagged/", views.flagged, name="flagged"),
    path("flagged/block/", views.flagged_block, name="flagged-block"),
    path("reports/block/", views.reports_block, name="reports-block"),
    path("checkin/block/", views.my_checkin_block, name="my-checkin-block"),
    path("policy/", views.policy, name="policy"),
    path("reports/", views.reports, name="reports"),
    path("reports/export.xlsx", views.reports_export, name="reports-export"),
    path("reports/<int:unit_id>/<str:day>/", views.report, name="report"),
    path("reports/<int:unit_id>/<str:day>/nil/", views.report_nil, name="report-nil"),
    path("reviews/<int:pk>/export.xlsx", views.report_export, name="report-export"),
    path("reviews/<int:pk>/return/", views.report_return, name="report-return"),
    path("reviews/<int:pk>/correct/", views.report_correct, name="report-correct"),
    path("reviews/<int:pk>/approve/", views.report_approve, name="report-approve"),
    path("completeness/", views.completeness, name="completeness"),
    path("completeness.xlsx", views.completeness_export, name="completeness-export"),
    path("consolidated/", views.consolidated, name="consolidated"),
    path("consolidated.xlsx", views.consolidated_export, name="consolidated-export"),
    path("report-fields/", views.report_fields, name="report-fields"),
    path("report-fields/export.xlsx", views.report_fields_export, name="report-fields-export"),
    path("report-fields/<int:pk>/edit/", views.report_field_edit, name="report-field-edit"),
    path("rules/<int:pk>/toggle/", views.validation_rule_toggle, name="rule-toggle"),
]
