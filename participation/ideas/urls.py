"""The idea box's URLs on a town's site (included by config/urls_tenant.py under /idees/)."""

from django.urls import path

from participation.ideas import comment_views, views

app_name = "ideas"
urlpatterns = [
    path("", views.idea_list, name="list"),
    path("proposer/", views.new_idea, name="new"),
    path("semblables/", views.similar, name="similar"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/image/", views.image, name="image"),
    path("<int:pk>/soutenir/", views.support, name="support"),
    path("<int:pk>/retirer-soutien/", views.withdraw, name="withdraw"),
    path("<int:pk>/suivre/", views.follow, name="follow"),
    path("<int:pk>/ne-plus-suivre/", views.unfollow, name="unfollow"),
    path("<int:pk>/commenter/", comment_views.add_comment, name="comment"),
    path("commentaires/<int:pk>/modifier/", comment_views.edit_comment, name="comment_edit"),
    path("commentaires/<int:pk>/supprimer/", comment_views.delete_comment, name="comment_delete"),
]
