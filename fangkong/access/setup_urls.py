"""URLs of the office's settings: policies, gates, pass types ("access" namespace)."""

from django.urls import path

from fangkong.access import views_setup as views

urlpatterns = [
    path("policies/", views.policies, name="policies"),
    path("gates/", views.gates, name="gates"),
    path("gates/new/", views.gate_add, name="gate-add"),
    path("gates/<int:pk>/edit/", views.gate_edit, name="gate-edit"),
    path("pass-types/", views.pass_types, name="pass-types"),
    path("pass-types/new/", views.pass_type_add, name="pass-type-add"),
    path("pass-types/<int:pk>/edit/", views.pass_type_edit, name="pass-type-edit"),
]
