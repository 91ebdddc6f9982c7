"""URLs of the supplies reports and printable documents; `supplies.urls` appends them
(`urlpatterns += report_urlpatterns`), so they are named under the "supplies" namespace."""

from django.urls import path

from fangkong.supplies import report_views as views

urlpatterns = [
    path("reports/", views.index, name="reports"),
    path("reports/stock/", views.stock, name="report-stock"),
    path("reports/stock.xlsx", views.stock_xlsx, name="report-stock-xlsx"),
    path("reports/receipts/", views.receipts, name="report-receipts"),
    path("reports/receipts.xlsx", views.receipts_xlsx, name="report-receipts-xlsx"),
    path("reports/issues/", views.issues, name="report-issues"),
    path("reports/issues.xlsx", views.issues_xlsx, name="report-issues-xlsx"),
    path("reports/register/", views.register, name="register"),
    path("reports/register.xlsx", views.register_xlsx, name="register-xlsx"),
    path("reports/register.pdf", views.register_pdf, name="register-pdf"),
    path("reports/donations/", views.donation_trace, name="donation-trace"),
    path("reports/donations.xlsx", views.donation_trace_xlsx, name="donation-trace-xlsx"),
    path("reports/days-of-supply/", views.days_of_supply, name="days-of-supply"),
    path("reports/days-of-supply.xlsx", views.days_of_supply_xlsx, name="days-of-supply-xlsx"),
    path(
        "receipts/<int:pk>/acknowledgement/",
        views.receipt_acknowledgement,
        name="receipt-acknowledgement",
    ),
    path(
        "receipts/<int:pk>/acknowledgement.pdf",
        views.receipt_acknowledgement_pdf,
        name="receipt-acknowledgement-pdf",
    ),
]
