"""The project's URLconf: logging in, the account, the language and the admin here; the pages
of the apps are assembled by the top app (`overview.urls`), so this module imports none of them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account, directory_views, health, oidc_views, views

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Organisations' own login services (OpenID Connect): see kelayhteistyo/oidc.py.
    path("login/org/<int:pk>/", oidc_views.oidc_login, name="oidc_login"),
    path("login/org/callback/", oidc_views.oidc_callback, name="oidc_callback"),
    # For operators: nothing personal; see kelayhteistyo/health.py.
    path("health/", health.health, name="health"),
    path("metrics/", health.metrics, name="metrics"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("oma-kieli/", views.set_youth_language, name="set_youth_language"),
    path("account/two-factor/", account.otp_setup, name="otp_setup"),
    path("account/verify/", account.otp_verify, name="otp_verify"),
    path("account/confirm/", account.reauthenticate, name="reauthenticate"),
    path("directory/", views.directory, name="directory"),
    path("directory/manage/", directory_views.directory_manage, name="directory_manage"),
    path(
        "directory/manage/new/",
        directory_views.directory_contact_add,
        name="directory_contact_add",
    ),
    path(
        "directory/manage/<int:pk>/",
        directory_views.directory_contact_edit,
        name="directory_contact_edit",
    ),
    path(
        "directory/manage/<int:pk>/active/",
        directory_views.directory_contact_active,
        name="directory_contact_active",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("", include("overview.urls")),
]
