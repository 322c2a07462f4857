from django.urls import path

from . import views

app_name = "hubee_admin"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("nouveau/", views.subscription_create_view, name="create"),
    path("<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("<int:subscription_id>/modifier/", views.subscription_edit, name="edit"),
    path("<int:subscription_id>/correspondances/", views.mappings_edit, name="mappings"),
    path("transmission/<slug:slug>/", views.transmission_edit, name="transmission"),
]
