from django.urls import path

from fangkong.watch import views

app_name = "watch"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("home-block/", views.home_block, name="home-block"),
    path("export.xlsx", views.ledger_export, name="ledger-export"),
    path("new/", views.entry_create, name="entry-create"),
    path("<int:pk>/", views.entry_detail, name="entry-detail"),
    path("<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("<int:pk>/verify/", views.entry_verify, name="entry-verify"),
    path("<int:pk>/clear/", views.entry_clear, name="entry-clear"),
    path("<int:pk>/follow-ups/", views.follow_up_create, name="follow-up-create"),
    path("follow-ups/<int:pk>/correct/", views.follow_up_correct, name="follow-up-correct"),
    path("due/", views.due, name="due"),
    path("draws/new/", views.draw_create, name="draw-create"),
    path("draws/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance.xlsx", views.compliance_export, name="compliance-export"),
    path("regions/", views.regions, name="regions"),
    path("regions/<int:pk>/edit/", views.region_edit, name="region-edit"),
    path("regions/<int:pk>/end/", views.region_end, name="region-end"),
]
