from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import QueuedPasswordResetForm

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="login"),
    path("deconnexion/", views.SignOutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoye/", views.signup_sent, name="signup_sent"),
    path("inscription/renvoyer/", views.signup_resend, name="signup_resend"),
    path("inscription/confirmer/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("profil/", views.profile, name="profile"),
    path("franceconnect/connexion/", views.franceconnect_login, name="franceconnect_login"),
    path("franceconnect/retour/", views.franceconnect_callback, name="franceconnect_callback"),
    path("franceconnect/deconnecte/", views.franceconnect_logout_return, name="franceconnect_logout_return"),
    path(
        "mot-de-passe/oubli/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            form_class=QueuedPasswordResetForm,
            extra_email_context={"site_name": settings.GUICHET_PLATFORM_NAME},
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
