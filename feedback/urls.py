from django.urls import path

from . import results, views

app_name = "feedback"
urlpatterns = [
    # The short public address a young person types or scans.
    path("p/<str:token>/", views.answer, name="answer"),
    path("feedback/surveys/", views.survey_list, name="survey_list"),
    path("feedback/surveys/<int:pk>/", views.survey_edit, name="survey_edit"),
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
