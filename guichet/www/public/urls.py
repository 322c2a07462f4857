from django.urls import path

from . import acts, legal, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("demarches/<slug:slug>/", views.procedure_detail, name="procedure_detail"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
    path("gestion-des-cookies/", legal.cookies, name="cookies"),
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("plan-du-site/", legal.site_map, name="site_map"),
    path("verifier/", acts.verify_home, name="act_verify_home"),
    path("verifier/<str:code>/", acts.act_verify, name="act_verify"),
]
