from django.urls import path

from fangkong.access import views_gate

urlpatterns = [
    path("gate/", views_gate.gate_page, name="gate"),
    path("gate/decide/", views_gate.gate_decide, name="gate-decide"),
    path("gate/households/", views_gate.gate_households, name="gate-households"),
]
