from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from meetings import notification_views

from . import account, dashboard, views

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("account/two-factor/", account.otp_setup, name="otp_setup"),
    path("account/verify/", account.otp_verify, name="otp_verify"),
    path("account/confirm/", account.reauthenticate, name="reauthenticate"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/settings/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("directory/", views.directory, name="directory"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("young-people/", include("cases.urls")),
    path("meetings/", include("meetings.urls")),
    path("", include("feedback.urls")),
    path("admin/", admin.site.urls),
]
