"""The archivist's elimination screens: included in the archivist space's urls (namespace
`archives`) by `urlpatterns += elimination_urls.urlpatterns`."""

from django.urls import path

from . import elimination

urlpatterns = [
    path("eliminations/", elimination.elimination_lists, name="elimination_lists"),
    path("eliminations/nouveau/", elimination.elimination_list_new, name="elimination_list_new"),
    path("eliminations/<int:pk>/", elimination.elimination_list, name="elimination_list"),
    path("eliminations/<int:pk>/visa/", elimination.elimination_list_decide, name="elimination_list_decide"),
    path("eliminations/<int:pk>/<str:kind>.pdf", elimination.elimination_list_file, name="elimination_list_file"),
]
