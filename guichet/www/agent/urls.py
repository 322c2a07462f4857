from django.urls import path

from . import acts, keys, views

app_name = "agent"
urlpatterns = [
    path("", views.procedures, name="procedures"),
    path("notifications/", views.notification_preference, name="notifications"),
    path("cles-api/", keys.api_keys, name="api_keys"),
    path("cles-api/<int:pk>/revocation/", keys.api_key_revoke, name="api_key_revoke"),
    path("demarches/<slug:slug>/", views.dossier_list, name="dossier_list"),
    path("demarches/<slug:slug>/actions-groupees/", views.bulk_create, name="bulk_create"),
    path("demarches/<slug:slug>/colonnes/", views.list_columns, name="list_columns"),
    path("demarches/<slug:slug>/export.<str:extension>", views.list_export, name="list_export"),
    path("demarches/<slug:slug>/pieces.zip", views.attachments_zip, name="attachments_zip"),
    path("actions-groupees/<int:pk>/", views.bulk_detail, name="bulk_detail"),
    path("exports/<int:pk>/", views.export_job_detail, name="export_job"),
    path("exports/<int:pk>/fichier/", views.export_job_file, name="export_job_file"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/decision/", views.dossier_decision, name="dossier_decision"),
    path("dossiers/<int:pk>/suivi/", views.dossier_follow_toggle, name="dossier_follow"),
    path("dossiers/<int:pk>/archivage/", views.dossier_archive_toggle, name="dossier_archive"),
    path("dossiers/<int:pk>/messages/", views.dossier_message, name="dossier_message"),
    path("dossiers/<int:pk>/fichiers/<uuid:key>/", views.dossier_file, name="dossier_file"),
    path("dossiers/<int:pk>/actes/<int:act_pk>/", acts.dossier_act_file, name="dossier_act"),
    path("dossiers/<int:pk>/actes/<int:act_pk>/relancer/", acts.dossier_act_retry, name="dossier_act_retry"),
    path("dossiers/<int:pk>/avis/", views.dossier_expert_invite, name="expert_invite"),
    path("dossiers/<int:pk>/annotations/", views.dossier_annotations, name="dossier_annotations"),
    path("dossiers/<int:pk>/etiquettes/", views.dossier_labels, name="dossier_labels"),
    path("dossiers/<int:pk>/attribution/", views.dossier_assign_view, name="dossier_assign"),
    path("dossiers/<int:pk>/avis/<int:invitation>/retrait/", views.dossier_expert_revoke, name="expert_revoke"),
]
