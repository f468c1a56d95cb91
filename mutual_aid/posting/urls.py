"""Mutual aid URLs: posting (included by mutual_aid/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from mutual_aid.posting import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("nouvelle-annonce/", views.new_post, name="new_post"),
    path("nouvelle-annonce/offre/", views.new_offer, name="new_offer"),
    path("nouvelle-annonce/demande/", views.new_request, name="new_request"),
    path("mes-annonces/", views.my_posts, name="my_posts"),
    path("<int:pk>/modifier/", views.edit_post, name="edit_post"),
    path("<int:pk>/fermer/", views.close_post, name="close_post"),
    path("<int:pk>/renouveler/", views.renew_post, name="renew_post"),
    path("<int:pk>/supprimer/", views.delete_post, name="delete_post"),
    path("renouveler/<str:token>/", views.renew_by_link, name="renew_by_link"),
]
