from django.urls import include, path

from . import acts, conditions, fees, form_editor, groups, invoices, preview, procedures

app_name = "admin_procedures"
urlpatterns = [
    path("", procedures.procedure_list, name="list"),
    path("nouvelle/", procedures.procedure_create_view, name="create"),
    path("organisations/<int:pk>/factures.csv", invoices.organisation_invoices_export, name="organisation_invoices"),
    path("organisations/<int:pk>/recettes.csv", invoices.organisation_receipts_export, name="organisation_receipts"),
    path("<slug:slug>/", procedures.procedure_overview, name="overview"),
    path("<slug:slug>/parametres/", procedures.procedure_settings, name="settings"),
    path("<slug:slug>/conservation/", procedures.procedure_retention_view, name="retention"),
    path("<slug:slug>/publier/", procedures.procedure_publish_view, name="publish"),
    path("<slug:slug>/clore/", procedures.procedure_lifecycle, {"action": "close"}, name="close"),
    path("<slug:slug>/rouvrir/", procedures.procedure_lifecycle, {"action": "reopen"}, name="reopen"),
    path("<slug:slug>/cloner/", procedures.procedure_clone_view, name="clone"),
    path("<slug:slug>/export.json", procedures.procedure_export_view, name="export"),
    path("<slug:slug>/formulaire/", form_editor.form_editor, name="form"),
    path("<slug:slug>/formulaire/modifier/", form_editor.form_edit, name="form_edit"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/", form_editor.field_edit, name="field_edit"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/condition/", conditions.field_condition, name="field_condition"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/calcul/", conditions.field_formula, name="field_formula"),
    path("<slug:slug>/formulaire/page/<slug:page_id>/", form_editor.page_edit, name="page_edit"),
    path("<slug:slug>/formulaire/page/<slug:page_id>/condition/", conditions.page_condition, name="page_condition"),
    path("<slug:slug>/formulaire/eligibilite/", conditions.eligibility_rule, name="eligibility_add"),
    path("<slug:slug>/formulaire/eligibilite/<int:index>/", conditions.eligibility_rule, name="eligibility_edit"),
    path("<slug:slug>/groupes/", groups.groups_page, name="groups"),
    path("<slug:slug>/frais/", fees.procedure_fee, name="fee"),
    path("<slug:slug>/apercu/", include(preview.urlpatterns)),
    path("<slug:slug>/actes/", include(acts.urlpatterns)),
]
