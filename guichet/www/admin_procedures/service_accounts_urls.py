from django.urls import path

from . import service_accounts as views

app_name = "service_accounts"

urlpatterns = [
    path("", views.service_account_list, name="list"),
    path("nouveau/", views.service_account_create_view, name="create"),
    path("<int:pk>/", views.service_account_detail, name="detail"),
    path("<int:pk>/revoquer/", views.service_account_revoke_view, name="revoke"),
    path("<int:pk>/cles/", views.service_token_create_view, name="token_create"),
    path("<int:pk>/cles/<int:token_pk>/renouveler/", views.service_token_rotate_view, name="token_rotate"),
    path("<int:pk>/cles/<int:token_pk>/revoquer/", views.service_token_revoke_view, name="token_revoke"),
]
