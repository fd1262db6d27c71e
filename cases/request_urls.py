"""Cooperation requests from Kela (issue 18); included under /requests/ by overview.urls."""

from django.urls import path

from . import request_views

app_name = "requests"
urlpatterns = [
    path("units/", request_views.unit_list, name="units"),
    path("units/<int:unit_pk>/new/", request_views.request_create, name="create"),
    path("<uuid:pk>/", request_views.request_detail, name="detail"),
    path("<uuid:pk>/take/", request_views.request_take, name="take"),
    path("<uuid:pk>/decline/", request_views.request_decline, name="decline"),
    path("<uuid:pk>/link/", request_views.request_link, name="link"),
]
