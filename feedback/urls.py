from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    # The short public address a young person types or scans.
    path("p/<str:token>/", views.answer, name="answer"),
    path("feedback/surveys/", views.survey_list, name="survey_list"),
    path("feedback/surveys/<int:pk>/", views.survey_edit, name="survey_edit"),
]
