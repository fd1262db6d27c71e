from django.urls import path

from . import referral_views, views

app_name = "cases"
urlpatterns = [
    path("", views.youth_list, name="list"),
    path("new/", views.youth_create, name="create"),
    path("<uuid:pk>/", views.youth_detail, name="detail"),
    path("<uuid:pk>/edit/", views.youth_edit, name="edit"),
    path("<uuid:pk>/access-report/", views.access_report, name="access_report"),
    path("<uuid:pk>/consent/", views.consent_create, name="consent_create"),
    # The light door of the young person's own page (issue 19).
    path("<uuid:pk>/light-link/", views.light_link_send_view, name="light_link_send"),
    path("<uuid:pk>/light-door-off/", views.light_door_close_view, name="light_door_close"),
    path("<uuid:pk>/special-service/new/", referral_views.referral_create, name="referral_create"),
    path(
        "<uuid:pk>/consent/<int:consent_pk>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]
