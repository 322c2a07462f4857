from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("demarches/<slug:slug>/", views.procedure_detail, name="procedure_detail"),
]
