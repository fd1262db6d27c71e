from django.urls import path

from . import export_views, link_views, network_views, notification_views, plan_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/<uuid:youth_pk>/", views.meeting_create, name="create"),
    path("free-times/", views.free_times, name="free_times"),
    path("record/<uuid:youth_pk>/", views.meeting_record, name="record"),
    path("<uuid:pk>/", views.meeting_detail, name="detail"),
    path("<uuid:pk>/edit/", views.meeting_edit, name="edit"),
    path("<uuid:pk>/identity-code/", views.identity_code_show, name="identity_code"),
    path("<uuid:pk>/calendar.ics", notification_views.meeting_ics, name="ics"),
    path("<uuid:pk>/invite/", views.meeting_invite, name="invite"),
    path("<uuid:pk>/respond/", views.meeting_respond, name="respond"),
    path(
        "<uuid:pk>/proposal/<int:participant_pk>/accept/",
        views.proposal_accept,
        name="proposal_accept",
    ),
    path("<uuid:pk>/network/add/", network_views.network_member_add, name="network_add"),
    path(
        "<uuid:pk>/network/<int:participant_pk>/",
        network_views.network_member_edit,
        name="network_edit",
    ),
    path(
        "<uuid:pk>/network/<int:participant_pk>/remove/",
        network_views.network_member_remove,
        name="network_remove",
    ),
    path("<uuid:pk>/held/", views.meeting_held, name="held"),
    path("<uuid:pk>/not-present/", views.taking_part_deny, name="taking_part_deny"),
    path("<uuid:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<uuid:pk>/plan/", plan_views.plan_edit, name="plan"),
    path("<uuid:pk>/plan/export/", export_views.plan_export, name="plan_export"),
    path(
        "<uuid:pk>/plan/export/<int:export_pk>/",
        export_views.plan_export_download,
        name="plan_export_download",
    ),
    path("<uuid:pk>/plan/items/", plan_views.action_item_add, name="item_add"),
    path("<uuid:pk>/plan/items/<int:item_pk>/", plan_views.action_item_toggle, name="item_toggle"),
    path("<uuid:pk>/plan/items/<int:item_pk>/edit/", plan_views.action_item_edit, name="item_edit"),
    path(
        "<uuid:pk>/plan/items/<int:item_pk>/cancel/",
        plan_views.action_item_cancel,
        name="item_cancel",
    ),
    path("<uuid:pk>/plan/items/<int:item_pk>/note/", plan_views.action_item_note, name="item_note"),
    path(
        "<uuid:pk>/plan/items/<int:item_pk>/links/stop/",
        plan_views.action_item_links_stop,
        name="item_links_stop",
    ),
    path("<uuid:pk>/review/", plan_views.review_create, name="review"),
    # An outside owner's own action item, by the signed link e-mailed to them (no login).
    path("items/<int:item_pk>/link/<str:token>/", link_views.item_link, name="item_link"),
]
