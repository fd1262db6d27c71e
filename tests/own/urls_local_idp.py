"""The project's URLs with the quick start's test identity provider mounted (as `make run` has)."""

from django.urls import path

from cases import devidp_views
from kelayhteistyo.urls import urlpatterns as project

urlpatterns = [
    path("testi-tunnistus/sso/", devidp_views.test_idp_sso, name="test_idp_sso"),
    *project,
]
