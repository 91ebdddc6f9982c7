"""A Django site for the benchmarks only: Fangkong's settings and URLs, plus bench views.

`bench.checkin_http` serves it with gunicorn (`fangkong.wsgi:application`, with
DJANGO_SETTINGS_MODULE=bench.benchsite.settings), so that its baseline view runs in the same
server, middleware and database connection settings as the API it is compared with.
Production never loads it.
"""
