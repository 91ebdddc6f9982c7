from django.urls import path

from fangkong.supplies import views

app_name = "supplies"

urlpatterns = [
    path("", views.index, name="index"),
    path("block/below-minimum/", views.below_minimum_block, name="below-minimum-block"),
    path("block/to-issue/", views.to_issue_block, name="to-issue-block"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/limits/set/", views.limit_set, name="limit-set"),
    path("catalogue/<slug:kind>/new/", views.catalogue_add, name="catalogue-add"),
    path("catalogue/<slug:kind>/<int:pk>/edit/", views.catalogue_edit, name="catalogue-edit"),
    path("receipts/", views.receipts, name="receipts"),
    path("receipts/new/", views.receipt_new, name="receipt-new"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt"),
    path("requisitions/", views.requisitions, name="requisitions"),
    path("requisitions/new/", views.requisition_new, name="requisition-new"),
    path("requisitions/<int:pk>/", views.requisition_detail, name="requisition"),
    path("requisitions/<int:pk>/decide/", views.requisition_decide, name="requisition-decide"),
    path("requisitions/<int:pk>/issue/", views.requisition_issue, name="requisition-issue"),
    path("moves/", views.moves, name="moves"),
    path("moves/<int:pk>/reverse/", views.move_reverse, name="move-reverse"),
    path("transfer/", views.transfer, name="transfer"),
    path("stocktake/", views.stocktake, name="stocktake"),
    path("close-period/", views.close_period, name="close-period"),
]

from fangkong.supplies.report_urls import urlpatterns as report_urlpatterns  # noqa: E402

urlpatterns += report_urlpatterns
