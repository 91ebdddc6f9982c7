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
    path("policy/", views.policy, name="policy"),
]
