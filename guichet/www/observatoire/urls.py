from django.urls import path, re_path

from . import downloads, pages, panorama_pages, panorama_steering, steering

app_name = "observatoire"
FMT = r"(?P<fmt>csv|json)"
urlpatterns = [
    path("", pages.quality, name="quality"),
    re_path(rf"^donnees/qualite\.{FMT}$", downloads.quality_download, name="quality_download"),
    path("demarches/<int:pk>/", pages.entry_detail, name="entry_detail"),
    re_path(
        rf"^donnees/demarches/(?P<pk>[0-9]+)/mois\.{FMT}$",
        downloads.entry_months_download,
        name="entry_months_download",
    ),
    path("programme/", pages.programme, name="programme"),
    re_path(rf"^donnees/programme\.{FMT}$", downloads.programme_download, name="programme_download"),
    path("panorama/", panorama_pages.panorama, name="panorama"),
    path("panorama/projets/<int:pk>/", panorama_pages.project_detail, name="panorama_project"),
    re_path(rf"^donnees/panorama\.{FMT}$", panorama_pages.panorama_download, name="panorama_download"),
    re_path(
        rf"^donnees/panorama-chiffres-cles\.{FMT}$",
        panorama_pages.panorama_editions_download,
        name="panorama_editions_download",
    ),
    path("barometre/", pages.barometer, name="barometer"),
    re_path(rf"^donnees/barometre\.{FMT}$", downloads.barometer_download, name="barometer_download"),
    path("pilotage/", steering.steering_home, name="steering"),
    path("pilotage/calcul/", steering.aggregation_request_view, name="aggregation_request"),
    path("pilotage/demarches/nouvelle/", steering.entry_create, name="entry_create"),
    path("pilotage/demarches/<int:pk>/", steering.entry_edit, name="entry_edit"),
    path("pilotage/demarches/<int:pk>/volumes/", steering.volume_record, name="volume_record"),
    path("pilotage/indicateurs/nouveau/", steering.indicator_create_view, name="indicator_create"),
    path("pilotage/indicateurs/<int:pk>/", steering.indicator_edit, name="indicator_edit"),
    path("pilotage/indicateurs/<int:pk>/cible/", steering.goal_set, name="goal_set"),
    path("pilotage/indicateurs/<int:pk>/valeur/", steering.value_record, name="value_record"),
    path("pilotage/panorama/", panorama_steering.panorama_steering_home, name="panorama_steering"),
    path("pilotage/panorama/projets/nouveau/", panorama_steering.project_create, name="panorama_project_create"),
    path("pilotage/panorama/projets/<int:pk>/", panorama_steering.project_edit, name="panorama_project_edit"),
    path("pilotage/panorama/import/", panorama_steering.panorama_import, name="panorama_import"),
    path("pilotage/panorama/editions/nouvelle/", panorama_steering.edition_create, name="panorama_edition_create"),
    path("pilotage/panorama/editions/<int:pk>/", panorama_steering.edition_detail, name="panorama_edition"),
    path("pilotage/panorama/editions/<int:pk>/publier/", panorama_steering.edition_publish, name="panorama_publish"),
]
