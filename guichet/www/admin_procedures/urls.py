from django.urls import include, path

from . import acts, groups, preview, views

app_name = "admin_procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("nouvelle/", views.procedure_create_view, name="create"),
    path("<slug:slug>/", views.procedure_overview, name="overview"),
    path("<slug:slug>/parametres/", views.procedure_settings, name="settings"),
    path("<slug:slug>/publier/", views.procedure_lifecycle, {"action": "publish"}, name="publish"),
    path("<slug:slug>/clore/", views.procedure_lifecycle, {"action": "close"}, name="close"),
    path("<slug:slug>/rouvrir/", views.procedure_lifecycle, {"action": "reopen"}, name="reopen"),
    path("<slug:slug>/cloner/", views.procedure_clone_view, name="clone"),
    path("<slug:slug>/export.json", views.procedure_export_view, name="export"),
    path("<slug:slug>/formulaire/", views.form_editor, name="form"),
    path("<slug:slug>/formulaire/modifier/", views.form_edit, name="form_edit"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/", views.field_edit, name="field_edit"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/condition/", views.field_condition, name="field_condition"),
    path("<slug:slug>/formulaire/champ/<slug:field_id>/calcul/", views.field_formula, name="field_formula"),
    path("<slug:slug>/formulaire/page/<slug:page_id>/", views.page_edit, name="page_edit"),
    path("<slug:slug>/formulaire/page/<slug:page_id>/condition/", views.page_condition, name="page_condition"),
    path("<slug:slug>/formulaire/eligibilite/", views.eligibility_rule, name="eligibility_add"),
    path("<slug:slug>/formulaire/eligibilite/<int:index>/", views.eligibility_rule, name="eligibility_edit"),
    path("<slug:slug>/groupes/", groups.groups_page, name="groups"),
    path("<slug:slug>/apercu/", include(preview.urlpatterns)),
    path("<slug:slug>/actes/", include(acts.urlpatterns)),
]
