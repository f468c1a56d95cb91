"""Mutual aid URLs: conversations, and following new posts (included by mutual_aid/urls.py)."""

from django.urls import URLPattern, URLResolver, include, path

from mutual_aid.conversations import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/repondre/", views.answer, name="answer"),
    path("<int:pk>/aide-donnee/", views.mark_helped, name="mark_helped"),
    path("conversations/", views.inbox, name="conversations"),
    path("conversations/<int:pk>/", views.conversation, name="conversation"),
    path("mes-reponses/", views.my_answers, name="my_answers"),
    path("", include("mutual_aid.following.urls")),
]
