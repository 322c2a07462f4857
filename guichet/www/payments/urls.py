from django.urls import path

from . import dummy, views

app_name = "paiements"
urlpatterns = [
    path("mes-dossiers/<int:pk>/paiement/", views.dossier_payment, name="dossier"),
    # What the payment service calls (PayFiP's urlnotif) and where it sends the person back (urlredirect).
    path("paiements/notification/", views.payment_notification, name="notification"),
    path("paiements/retour/<str:reference>/", views.payment_return, name="retour"),
    # The demonstration's dummy payment service (connectors/payment_dummy).
    path("paiement-factice/<str:operation_id>/", dummy.payment_dummy_page, name="factice"),
]
