from django.urls import path

from . import views

app_name = "expert"
urlpatterns = [
    path("", views.invitations, name="invitations"),
    path("<int:pk>/", views.invitation, name="invitation"),
    path("<int:pk>/fichiers/<uuid:key>/", views.invitation_file, name="file"),
]
