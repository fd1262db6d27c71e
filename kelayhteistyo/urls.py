from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("directory/", views.directory, name="directory"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("young-people/", include("cases.urls")),
    path("meetings/", include("meetings.urls")),
    path("admin/", admin.site.urls),
]
