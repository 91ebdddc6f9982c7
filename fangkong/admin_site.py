"""The Django admin, for superusers only (DESIGN: "not the product UI").

Django's own site lets in any staff account with model permissions; this one asks for a
superuser, so that no role's account reaches the raw tables by being made staff.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(AdminSite):
    site_header = _("Fangkong administration")
    site_title = _("Fangkong administration")
    index_title = _("Tables (for superusers; the pages are the product)")

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)


class FangkongAdminConfig(AdminConfig):
    default_site = "fangkong.admin_site.SuperuserAdminSite"
