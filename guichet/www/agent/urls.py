from django.urls import path

from . import acts, bulk, dossier, exports, invoice_corrections, invoices, keys, lists, payments

app_name = "agent"
urlpatterns = [
    path("", lists.procedures, name="procedures"),
    path("notifications/", lists.notification_preference, name="notifications"),
    path("cles-api/", keys.api_keys, name="api_keys"),
    path("cles-api/<int:pk>/revocation/", keys.api_key_revoke, name="api_key_revoke"),
    path("demarches/<slug:slug>/", lists.dossier_list, name="dossier_list"),
    path("demarches/<slug:slug>/actions-groupees/", bulk.bulk_create, name="bulk_create"),
    path("demarches/<slug:slug>/colonnes/", lists.list_columns, name="list_columns"),
    path("demarches/<slug:slug>/export.<str:extension>", exports.list_export, name="list_export"),
    path("demarches/<slug:slug>/pieces.zip", exports.attachments_zip, name="attachments_zip"),
    path("demarches/<slug:slug>/factures.csv", exports.invoices_export, name="invoices_export"),
    path("demarches/<slug:slug>/recettes.csv", payments.receipts_export, name="receipts_export"),
    path("actions-groupees/<int:pk>/", bulk.bulk_detail, name="bulk_detail"),
    path("exports/<int:pk>/", exports.export_job_detail, name="export_job"),
    path("exports/<int:pk>/fichier/", exports.export_job_file, name="export_job_file"),
    path("dossiers/<int:pk>/", dossier.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/decision/", dossier.dossier_decision, name="dossier_decision"),
    path("dossiers/<int:pk>/suivi/", dossier.dossier_follow_toggle, name="dossier_follow"),
    path("dossiers/<int:pk>/mise-de-cote/", dossier.dossier_put_aside_toggle, name="dossier_put_aside"),
    path("dossiers/<int:pk>/messages/", dossier.dossier_message, name="dossier_message"),
    path("dossiers/<int:pk>/fichiers/<uuid:key>/", dossier.dossier_file, name="dossier_file"),
    path("dossiers/<int:pk>/actes/<int:act_pk>/", acts.dossier_act_file, name="dossier_act"),
    path("dossiers/<int:pk>/actes/<int:act_pk>/relancer/", acts.dossier_act_retry, name="dossier_act_retry"),
    path("dossiers/<int:pk>/factures/<int:invoice_pk>/", invoices.dossier_invoice_file, name="dossier_invoice"),
    path("dossiers/<int:pk>/factures/frais/", invoices.dossier_fee_invoice_retry, name="dossier_fee_invoice_retry"),
    path(
        "dossiers/<int:pk>/factures/<int:invoice_pk>/avoir/",
        invoices.dossier_invoice_credit,
        name="dossier_invoice_credit",
    ),
    path(
        "dossiers/<int:pk>/factures/<int:invoice_pk>/relancer/",
        invoices.dossier_invoice_deposit_retry,
        name="dossier_invoice_retry",
    ),
    path(
        "dossiers/<int:pk>/factures/<int:invoice_pk>/redeposer/",
        invoice_corrections.dossier_credit_note_redeposit,
        name="dossier_credit_note_redeposit",
    ),
    path(
        "dossiers/<int:pk>/factures/<int:invoice_pk>/remplacer/",
        invoice_corrections.dossier_credit_note_replace,
        name="dossier_credit_note_replace",
    ),
    path(
        "dossiers/<int:pk>/factures/<int:invoice_pk>/recycler/",
        invoice_corrections.dossier_invoice_reroute,
        name="dossier_invoice_reroute",
    ),
    path("dossiers/<int:pk>/avis/", dossier.dossier_expert_invite, name="expert_invite"),
    path("dossiers/<int:pk>/annotations/", dossier.dossier_annotations, name="dossier_annotations"),
    path("dossiers/<int:pk>/etiquettes/", dossier.dossier_labels, name="dossier_labels"),
    path("dossiers/<int:pk>/attribution/", dossier.dossier_assign_view, name="dossier_assign"),
    path("dossiers/<int:pk>/avis/<int:invitation>/retrait/", dossier.dossier_expert_revoke, name="expert_revoke"),
]
