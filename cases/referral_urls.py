"""Referrals to Kela's special service (issue 18); included under /special-service/ by
overview.urls (the worker's form is cases:referral_create, on the young person's pages)."""

from django.urls import path

from . import referral_views

app_name = "special_service"
urlpatterns = [
    path("<uuid:pk>/", referral_views.referral_detail, name="detail"),
    path("<uuid:pk>/take/", referral_views.referral_take, name="take"),
    path("<uuid:pk>/assess/", referral_views.referral_assess, name="assess"),
    path("<uuid:pk>/end/", referral_views.referral_end, name="end"),
]
