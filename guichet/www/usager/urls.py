from django.urls import path

from . import acts, filed, prefill, views

app_name = "usager"
urlpatterns = [
    path("demarches/<slug:slug>/commencer/", views.dossier_start, name="dossier_start"),
    path("pre-rempli/<str:token>/", prefill.prefill_claim, name="prefill_claim"),
    path("mes-dossiers/", views.my_dossiers, name="my_dossiers"),
    path("mes-dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("mes-dossiers/<int:pk>/page/<int:number>/", views.dossier_page, name="dossier_page"),
    path("mes-dossiers/<int:pk>/recapitulatif/", views.dossier_summary, name="dossier_summary"),
    path("mes-dossiers/<int:pk>/depose/", filed.dossier_submitted, name="dossier_submitted"),
    path("mes-dossiers/<int:pk>/avis/", filed.dossier_opinion, name="dossier_opinion"),
    path("mes-dossiers/<int:pk>/messages/", views.dossier_message, name="dossier_message"),
    path("mes-dossiers/<int:pk>/fichiers/<uuid:key>/", views.dossier_file, name="dossier_file"),
    path("mes-dossiers/<int:pk>/retirer/", filed.dossier_withdraw_view, name="dossier_withdraw"),
    path("mes-dossiers/<int:pk>/supprimer/", views.dossier_delete, name="dossier_delete"),
    path("mes-dossiers/<int:pk>/pdf/", views.dossier_pdf, name="dossier_pdf"),
    path("mes-dossiers/<int:pk>/actes/<int:act_pk>/", acts.dossier_act_file, name="dossier_act"),
    path("mes-dossiers/<int:pk>/factures/<int:invoice_pk>/", acts.dossier_invoice_file, name="dossier_invoice"),
]
