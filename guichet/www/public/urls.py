from django.urls import path

from . import acts, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("demarches/<slug:slug>/", views.procedure_detail, name="procedure_detail"),
    path("verifier/", acts.verify_home, name="act_verify_home"),
    path("verifier/<str:code>/", acts.act_verify, name="act_verify"),
]
