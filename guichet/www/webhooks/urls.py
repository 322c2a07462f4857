from django.urls import path

from . import views

app_name = "webhooks_admin"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("nouveau/", views.subscription_create_view, name="create"),
    path("<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("<int:subscription_id>/modifier/", views.subscription_edit, name="edit"),
    path("<int:subscription_id>/secret/", views.subscription_rotate, name="rotate"),
    path("<int:subscription_id>/reactiver/", views.subscription_toggle, {"action": "enable"}, name="enable"),
    path("<int:subscription_id>/desactiver/", views.subscription_toggle, {"action": "disable"}, name="disable"),
    path("<int:subscription_id>/supprimer/", views.subscription_delete_view, name="delete"),
    path("<int:subscription_id>/envois/<int:delivery_id>/renvoyer/", views.delivery_replay_view, name="replay"),
]
