"""Mutual aid URLs: exchanges (included by mutual_aid/urls.py under /entraide/)."""

from django.urls import URLPattern, URLResolver, path

from mutual_aid.exchanges import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("nouveau/pret/", views.new_loan, name="new_loan"),
    path("nouveau/covoiturage/", views.new_carpool, name="new_carpool"),
    path("nouveau/achat-groupe/", views.new_group_purchase, name="new_group_purchase"),
    # Lending: asking is on the object's post; the steps act on one request.
    path("<int:pk>/emprunter/", views.loan_ask, name="loan_ask"),
    path("prets/<int:pk>/accepter/", views.loan_accept, name="loan_accept"),
    path("prets/<int:pk>/refuser/", views.loan_refuse, name="loan_refuse"),
    path("prets/<int:pk>/prete/", views.loan_lent, name="loan_lent"),
    path("prets/<int:pk>/rendu/", views.loan_returned, name="loan_returned"),
    path("prets/<int:pk>/annuler/", views.loan_cancel, name="loan_cancel"),
    # Carpooling: booking is on the ride's post; refusing and cancelling act on one booking.
    path("<int:pk>/reserver/", views.carpool_book, name="carpool_book"),
    path("places/<int:pk>/refuser/", views.carpool_refuse, name="carpool_refuse"),
    path("places/<int:pk>/annuler/", views.carpool_cancel, name="carpool_cancel"),
    # Group purchases: all on the purchase's post.
    path("<int:pk>/participer/", views.purchase_commit, name="purchase_commit"),
    path("<int:pk>/participer/retirer/", views.purchase_withdraw, name="purchase_withdraw"),
    path("<int:pk>/cloturer/", views.purchase_close, name="purchase_close"),
]
