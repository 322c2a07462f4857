from django.urls import path, re_path

from . import views

app_name = "observatoire"
FMT = r"(?P<fmt>csv|json)"
urlpatterns = [
    path("", views.quality, name="quality"),
    re_path(rf"^donnees/qualite\.{FMT}$", views.quality_download, name="quality_download"),
    path("demarches/<int:pk>/", views.entry_detail, name="entry_detail"),
    re_path(
        rf"^donnees/demarches/(?P<pk>[0-9]+)/mois\.{FMT}$", views.entry_months_download, name="entry_months_download"
    ),
    path("programme/", views.programme, name="programme"),
    re_path(rf"^donnees/programme\.{FMT}$", views.programme_download, name="programme_download"),
    path("barometre/", views.barometer, name="barometer"),
    re_path(rf"^donnees/barometre\.{FMT}$", views.barometer_download, name="barometer_download"),
    path("pilotage/", views.steering_home, name="steering"),
    path("pilotage/calcul/", views.aggregation_request_view, name="aggregation_request"),
    path("pilotage/demarches/nouvelle/", views.entry_create, name="entry_create"),
    path("pilotage/demarches/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("pilotage/demarches/<int:pk>/volumes/", views.volume_record, name="volume_record"),
    path("pilotage/indicateurs/nouveau/", views.indicator_create_view, name="indicator_create"),
    path("pilotage/indicateurs/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("pilotage/indicateurs/<int:pk>/cible/", views.goal_set, name="goal_set"),
    path("pilotage/indicateurs/<int:pk>/valeur/", views.value_record, name="value_record"),
]
