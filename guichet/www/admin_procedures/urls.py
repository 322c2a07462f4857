from django.urls import include, path

from . import preview, views

app_name = "admin_procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("<slug:slug>/", views.procedure_overview, name="overview"),
    path("<slug:slug>/apercu/", include(preview.urlpatterns)),
]
