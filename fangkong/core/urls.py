from django.contrib.auth import views as auth_views
from django.urls import path

from fangkong.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", views.unit_list, name="unit-list"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/export.xlsx", views.person_export, name="person-export"),
    path("people/import/", views.person_import, name="person-import"),
    path(
        "people/import/template.xlsx", views.person_import_template, name="person-import-template"
    ),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person-reveal"),
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_edit, name="household-create"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/<int:pk>/toggle/", views.account_toggle, name="account-toggle"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
