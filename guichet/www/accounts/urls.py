from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import personal_data, proconnect, second_factor, views, webauthn
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
    path("mes-donnees/", personal_data.my_data, name="my_data"),
    path("mes-donnees/telecharger/", personal_data.my_data_download, name="my_data_download"),
    path("mes-donnees/supprimer-mon-compte/", personal_data.account_delete_view, name="account_delete"),
    path("franceconnect/connexion/", views.franceconnect_login, name="franceconnect_login"),
    path("franceconnect/retour/", views.franceconnect_callback, name="franceconnect_callback"),
    path("franceconnect/deconnecte/", views.franceconnect_logout_return, name="franceconnect_logout_return"),
    path("proconnect/connexion/", proconnect.proconnect_login, name="proconnect_login"),
    path("proconnect/retour/", proconnect.proconnect_callback, name="proconnect_callback"),
    path("proconnect/deconnecte/", proconnect.proconnect_logout_return, name="proconnect_logout_return"),
    path("double-authentification/", second_factor.second_factor, name="second_factor"),
    path("double-authentification/application/", second_factor.second_factor_setup, name="second_factor_setup"),
    path("double-authentification/codes-de-secours/", second_factor.recovery_codes_new, name="recovery_codes_new"),
    path("double-authentification/desactiver/", second_factor.second_factor_off, name="second_factor_off"),
    path(
        "double-authentification/codes-de-secours/afficher/", webauthn.recovery_codes_show, name="recovery_codes_show"
    ),
    path("double-authentification/cles/", webauthn.webauthn_keys, name="webauthn_keys"),
    path("double-authentification/cles/options/", webauthn.webauthn_register_options, name="webauthn_register_options"),
    path("double-authentification/cles/ajout/", webauthn.webauthn_register_verify, name="webauthn_register_verify"),
    path("double-authentification/cle/options/", webauthn.webauthn_sign_in_options, name="webauthn_sign_in_options"),
    path("double-authentification/cle/", webauthn.webauthn_sign_in_verify, name="webauthn_sign_in_verify"),
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
