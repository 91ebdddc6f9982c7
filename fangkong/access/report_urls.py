"""URLs of the gate reports; `access.urls` joins them under the "access" namespace."""

from django.urls import path

from fangkong.access import report_views as views

urlpatterns = [
    path("reports/", views.index, name="reports"),
    path("reports/passes/", views.passes, name="report-passes"),
    path("reports/passes.xlsx", views.passes_xlsx, name="report-passes-xlsx"),
    path("reports/crossings/", views.crossings, name="report-crossings"),
    path("reports/crossings.xlsx", views.crossings_xlsx, name="report-crossings-xlsx"),
    path("reports/refusals/", views.refusals, name="report-refusals"),
    path("reports/refusals.xlsx", views.refusals_xlsx, name="report-refusals-xlsx"),
    path("reports/out-now/", views.out_now, name="report-out-now"),
    path("reports/out-now.xlsx", views.out_now_xlsx, name="report-out-now-xlsx"),
    path("reports/quota/", views.quota, name="report-quota"),
    path("reports/quota.xlsx", views.quota_xlsx, name="report-quota-xlsx"),
]
