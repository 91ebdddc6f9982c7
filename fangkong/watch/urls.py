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
    # medical isolation
    path("isolation/", views.isolation, name="isolation"),
    path("isolation/export.xlsx", views.isolation_export, name="isolation-export"),
    path("isolation/counts.xlsx", views.isolation_summary_export, name="isolation-counts-export"),
    path("isolation/home-block/", views.isolation_home_block, name="isolation-home-block"),
    path("isolation/new/", views.isolation_create, name="isolation-create"),
    path("isolation/<int:pk>/", views.isolation_detail, name="isolation-detail"),
    path("isolation/<int:pk>/release/", views.isolation_release, name="isolation-release"),
    path("isolation/<int:pk>/transfer/", views.isolation_transfer, name="isolation-transfer"),
    path("isolation/<int:pk>/checks/", views.isolation_check_create, name="isolation-check-create"),
    path(
        "isolation/<int:pk>/checks.xlsx",
        views.isolation_checks_export,
        name="isolation-checks-export",
    ),
    path(
        "isolation/checks/<int:pk>/correct/",
        views.isolation_check_correct,
        name="isolation-check-correct",
    ),
    path("isolation/checks/", views.isolation_checks, name="isolation-checks"),
    path(
        "isolation/checks.xlsx",
        views.isolation_checks_day_export,
        name="isolation-checks-day-export",
    ),
    path("isolation/rooms/", views.isolation_rooms, name="isolation-rooms"),
    path("isolation/rooms.xlsx", views.isolation_rooms_export, name="isolation-rooms-export"),
    path("isolation/rooms/<int:pk>/edit/", views.isolation_room_edit, name="isolation-room-edit"),
    path("isolation/policy/", views.isolation_policy, name="isolation-policy"),
    path("isolation/policy.xlsx", views.isolation_policy_export, name="isolation-policy-export"),
    path(
        "isolation/policy/<int:pk>/edit/",
        views.isolation_policy_edit,
        name="isolation-policy-edit",
    ),
    # incidents
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/export.xlsx", views.incidents_export, name="incidents-export"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path(
        "incidents/<int:pk>/timeline.xlsx",
        views.incident_timeline_export,
        name="incident-timeline-export",
    ),
    path("incidents/<int:pk>/actions/", views.incident_action, name="incident-action"),
    path("incidents/<int:pk>/handle/", views.incident_handle, name="incident-handle"),
    path("incidents/<int:pk>/notify-cdc/", views.incident_notify_cdc, name="incident-notify-cdc"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident-close"),
    path("incidents/<int:pk>/people/", views.incident_link_people, name="incident-link-people"),
    path("incidents/<int:pk>/cases/", views.incident_link_case, name="incident-link-case"),
]
