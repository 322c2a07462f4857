"""The link that confirms a new account's address, signed like Django's password-reset links."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Valid for PASSWORD_RESET_TIMEOUT (3 days), once: confirming the address changes `is_active` and
    `email_confirmed_at`, and signing up again (with a new password) changes the password hash, so
    either one voids the links sent before."""

    key_salt = "guichet.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.email}{user.is_active}{user.email_confirmed_at}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()
