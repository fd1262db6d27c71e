"""The pages of the apps, assembled here at the top (the project's URLconf includes this module).

The namespaces stay those of the apps (`cases:`, `meetings:`, `feedback:`): the pages of this
app that belong to a namespace (a young person's data export, the feedback results) are added
to the app's own patterns, so that no lower app needs to import this one.
"""

from django.conf import settings
from django.urls import include, path

from cases import own as own_sign_in
from cases import referral_urls, request_urls
from cases import urls as cases_urls
from feedback import urls as feedback_urls
from meetings import handover_views, notification_views, profile_views

from . import dashboard, light, own, results, views

cases_patterns = [
    *cases_urls.urlpatterns,
    path("<uuid:pk>/data-export/", views.data_export, name="data_export"),
    path(
        "<uuid:pk>/consent/<int:consent_pk>/withdraw/confirm/",
        views.consent_withdraw_confirm,
        name="consent_withdraw_confirm",
    ),
    # Issue 17: a new responsible worker; the meetings and messages move with the young person.
    path("<uuid:pk>/hand-over/", handover_views.youth_hand_over, name="handover"),
]
feedback_patterns = [
    *feedback_urls.urlpatterns,
    path("feedback/results/", results.results, name="results"),
    path("feedback/comments/", results.comments, name="comments"),
    # By response (a random id) and question: the row id of an answer would tell the order
    # in which answers came in.
    path(
        "feedback/comments/<uuid:response>/<int:question>/hide/",
        results.comment_hide,
        name="comment_hide",
    ),
]

# The young person's own page (issue 19): signed in with strong identification, apart from the
# workers' login (cases/own.py).
own_patterns = [
    path("", own.own_page, name="page"),
    path("kasittelyt/", own.own_processed, name="processed"),
    path("tapaamiset/<uuid:pk>/kalenteri.ics", own.own_ics, name="ics"),
    path("tehtavat/<int:pk>/tehty/", own.own_item_done, name="item_done"),
    path("tehtavat/<int:pk>/apua/", own.own_item_help, name="item_help"),
    path("suostumukset/<int:pk>/peruutus/", own.own_withdraw, name="withdraw"),
    path("kirjaudu/", own_sign_in.sign_in_page, name="login"),
    path("kirjaudu-ulos/", own.own_logout, name="logout"),
    path("saml/login/", own_sign_in.SignInView.as_view(), name="saml_login"),
    path("saml/acs/", own_sign_in.AssertionConsumerView.as_view(), name="saml_acs"),
    path("saml/metadata/", own_sign_in.metadata, name="saml_metadata"),
    # The light door (issue 19): a link and a one-time code, only what is not sensitive.
    path("linkki/<str:token>/", light.light_link, name="light_link"),
    path("linkki/<str:token>/koodi/", light.light_code, name="light_code"),
    path("kevyt/", light.light_page, name="light_page"),
    path("kevyt/tapaamiset/<uuid:pk>/kalenteri.ics", light.light_ics, name="light_ics"),
    path("kevyt/lopeta/", light.light_logout, name="light_logout"),
    path("uusi-linkki/", light.light_new, name="light_new"),
]

# The quick start's test identity provider (make run), never in production.
test_idp_patterns = []
if settings.DEBUG and settings.SAML_TEST_IDP:
    from cases import devidp_views

    test_idp_patterns = [
        path("testi-tunnistus/sso/", devidp_views.test_idp_sso, name="test_idp_sso"),
    ]

urlpatterns = [
    path("", views.home, name="home"),
    *test_idp_patterns,
    path("oma/", include((own_patterns, "own"))),
    path("lists/<slug:key>/", views.work_list, name="work_list"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
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
    # A Kela contact's own profile, absences and free times (issue 18).
    path("profile/", profile_views.kela_profile, name="kela_profile"),
    path("profile/absences/", profile_views.kela_absence_add, name="kela_absence_add"),
    path(
        "profile/absences/<int:pk>/delete/",
        profile_views.kela_absence_delete,
        name="kela_absence_delete",
    ),
    path("profile/free-times/", profile_views.free_times_add, name="kela_free_times_add"),
    path(
        "profile/free-times/<int:pk>/remove/",
        profile_views.free_time_remove,
        name="kela_free_time_remove",
    ),
    path("young-people/", include((cases_patterns, cases_urls.app_name))),
    # Cooperation requests from Kela to aftercare units (issue 18).
    path("requests/", include((request_urls.urlpatterns, request_urls.app_name))),
    # Referrals to Kela's special service (issue 18).
    path("special-service/", include((referral_urls.urlpatterns, referral_urls.app_name))),
    path("meetings/", include("meetings.urls")),
    path("", include((feedback_patterns, feedback_urls.app_name))),
]
