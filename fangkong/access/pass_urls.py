"""The pass pages (in the "access" namespace; urls.py joins them with the gate's, the
reports' and the settings')."""

from django.urls import path

from fangkong.access import views_passes as views

urlpatterns = [
    path("passes/", views.passes, name="passes"),
    path("passes/apply/", views.pass_apply, name="pass-apply"),
    path("passes/mine/block/", views.my_passes_block, name="my-passes-block"),
    path("passes/<int:pk>/", views.pass_detail, name="pass"),
    path("passes/<int:pk>/decide/", views.pass_decide, name="pass-decide"),
    path("passes/<int:pk>/revoke/", views.pass_revoke, name="pass-revoke"),
    path("passes/<int:pk>/qr/", views.pass_qr, name="pass-qr"),
    path("passes/<int:pk>/card/", views.pass_card, name="pass-card"),
    path("passes/<int:pk>/card.pdf", views.pass_card_pdf, name="pass-card-pdf"),
    path("desk/", views.desk, name="desk"),
    path("desk/people/", views.desk_people, name="desk-people"),
]
