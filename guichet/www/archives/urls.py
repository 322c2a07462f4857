from django.urls import path

from . import elimination_urls, views

app_name = "archives"
urlpatterns = [
    path("", views.home, name="home"),
    path("demarches/", views.procedure_list, name="procedures"),
    path("demarches/<slug:slug>/", views.procedure_retention, name="procedure_retention"),
    path("versements/", views.transfer_list, name="transfers"),
    path("versements/<int:pk>/accuse.xml", views.transfer_reply, name="transfer_reply"),
    path("versements/<int:pk>/relancer/", views.transfer_retry, name="transfer_retry"),
    path("gels/", views.hold_list, name="holds"),
    path("gels/<int:dossier_id>/lever/", views.hold_release, name="hold_release"),
]
# The elimination lists (« bordereaux d’élimination »): their own module, same namespace.
urlpatterns += elimination_urls.urlpatterns
