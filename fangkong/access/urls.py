from fangkong.access.gate_urls import urlpatterns as gate_urlpatterns
from fangkong.access.pass_urls import urlpatterns as pass_urlpatterns
from fangkong.access.report_urls import urlpatterns as report_urlpatterns
from fangkong.access.setup_urls import urlpatterns as setup_urlpatterns

app_name = "access"

urlpatterns = [*pass_urlpatterns, *gate_urlpatterns, *report_urlpatterns, *setup_urlpatterns]
