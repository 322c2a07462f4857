from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret

from guichet.core.encryption import EncryptedTextField
from guichet.core.models import TimeStampedModel

from .names import user_display_name


def validate_siret(value: str) -> None:
    if not siret.is_valid(value):
        raise ValidationError(_("Ce numéro SIRET n’est pas valide (14 chiffres, clé de contrôle incluse)."))


class Organisation(TimeStampedModel):
    """An administration: a ministry, one of its directorates or services, or a town hall."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministère")
        DIRECTORATE = "directorate", _("Direction")
        SERVICE = "service", _("Service")
        MUNICIPALITY = "municipality", _("Commune")
        OTHER = "other", _("Autre organisme")

    parent = models.ForeignKey(
        "self",
        verbose_name=_("organisation parente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    street_address = models.CharField(_("adresse"), max_length=250, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/logos/", blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Organisation"]:
        """From the root down to the parent (a tree is a few levels deep)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One model for applicants and agents; what an agent may do comes from their roles."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l’administration technique"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Empty while a person who signed up has not followed the link sent to their address. Any other
    # account (created by an administrator, the demo, FranceConnect) counts as confirmed from the start.
    email_confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True, default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return user_display_name(self)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_awaiting_confirmation(self) -> bool:
        """Signed up but has not confirmed their address yet (an account that an administrator
        deactivated is not awaiting anything, and no link can reactivate it)."""
        return not self.is_active and self.email_confirmed_at is None


class FranceConnectIdentity(TimeStampedModel):
    """The identity that FranceConnect certified for a person, as of their last sign-in with it.

    FranceConnect's claims are kept as it sends them: `given_name` holds every first name,
    `family_name` the birth name and `preferred_username` the usage name (often empty)."""

    user = models.OneToOneField(
        User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="franceconnect_identity"
    )
    sub = models.CharField(_("identifiant FranceConnect (sub)"), max_length=255, unique=True)
    # Empty for the few people who have no first name.
    given_name = models.CharField(_("prénoms"), max_length=255, blank=True)
    family_name = models.CharField(_("nom de naissance"), max_length=255)
    preferred_username = models.CharField(_("nom d’usage"), max_length=255, blank=True)
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    birthplace = models.CharField(_("commune de naissance (code INSEE)"), max_length=5, blank=True)
    birthcountry = models.CharField(_("pays de naissance (code INSEE)"), max_length=5, blank=True)
    # "male" or "female": API Particulier asks for it with the other identity data (its sexeEtatCivil).
    gender = models.CharField(_("sexe"), max_length=6, blank=True)
    email = models.EmailField(_("adresse électronique transmise"), blank=True)
    acr = models.CharField(_("niveau de garantie (acr)"), max_length=40, blank=True)
    signed_in_at = models.DateTimeField(_("dernière connexion avec FranceConnect"), default=timezone.now)

    class Meta:
        verbose_name = _("identité FranceConnect")
        verbose_name_plural = _("identités FranceConnect")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class OrganisationRole(TimeStampedModel):
    """A role that a person holds in one organisation (instructors and experts get theirs from
    instructor groups and invitations, in the instruction app)."""

    class Role(models.TextChoices):
        PROCEDURE_ADMINISTRATOR = "procedure_administrator", _("Administrateur des démarches")
        STEERING = "steering", _("Pilotage (observatoire)")
        # The archives service's agent: archiving settings, transfers, and the visa of elimination lists.
        ARCHIVIST = "archivist", _("Archiviste")

    user = models.ForeignKey(User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("rôle"), max_length=40, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle dans une organisation")
        verbose_name_plural = _("rôles dans les organisations")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_organisation_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class ProConnectIdentity(TimeStampedModel):
    """An agent's identity at ProConnect, the State's federation of identity providers for public
    agents, as of their last sign-in with it. The account is found again by `sub` (ProConnect's
    reconciliation key); a person may come from several identity providers, hence several rows."""

    user = models.ForeignKey(
        User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="proconnect_identities"
    )
    sub = models.CharField(_("identifiant ProConnect (sub)"), max_length=255, unique=True)
    idp_id = models.CharField(_("fournisseur d’identité (idp_id)"), max_length=255, blank=True)
    uid = models.CharField(_("identifiant chez le fournisseur (uid)"), max_length=255, blank=True)
    given_name = models.CharField(_("prénoms"), max_length=255, blank=True)
    usual_name = models.CharField(_("nom d’usage"), max_length=255, blank=True)
    email = models.EmailField(_("adresse électronique transmise"), blank=True)
    siret = models.CharField(_("SIRET transmis"), max_length=14, blank=True)
    # The organisation of Guichet whose SIRET is the one ProConnect sent, if any.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation reconnue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acr = models.CharField(_("niveau de garantie (acr)"), max_length=100, blank=True)
    amr = models.JSONField(_("méthodes d’authentification (amr)"), default=list, blank=True)
    signed_in_at = models.DateTimeField(_("dernière connexion avec ProConnect"), default=timezone.now)

    class Meta:
        verbose_name = _("identité ProConnect")
        verbose_name_plural = _("identités ProConnect")

    def __str__(self) -> str:
        return f"{self.given_name} {self.usual_name} ({self.email})"


class TOTPDevice(TimeStampedModel):
    """A person's authenticator app (TOTP, RFC 6238: 6 digits every 30 seconds). The secret is kept
    only once the person has typed a first code from it, encrypted (guichet/core/encryption.py)."""

    user = models.OneToOneField(User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedTextField(_("secret partagé (base 32, chiffré)"))
    # The last 30-second step a code was accepted for: a code is good once only.
    last_used_step = models.BigIntegerField(_("dernier pas utilisé"), default=0)

    class Meta:
        verbose_name = _("application d’authentification")
        verbose_name_plural = _("applications d’authentification")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(TimeStampedModel):
    """A code to sign in with when the second factor is lost: shown once, stored hashed (SHA-256 of a
    random 50-bit code: no password hasher is needed for a secret that nobody chose), good once."""

    user = models.ForeignKey(User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(_("empreinte"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")

    def __str__(self) -> str:
        return f"{self.user} ({'utilisé' if self.used_at else 'disponible'})"


class WebAuthnCredential(TimeStampedModel):
    """A security key or a passkey (WebAuthn) registered by a person."""

    user = models.ForeignKey(
        User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="webauthn_credentials"
    )
    name = models.CharField(_("nom"), max_length=100)
    credential_id = models.CharField(_("identifiant de la clé (base64url)"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("clé publique (COSE)"))
    sign_count = models.BigIntegerField(_("compteur de signatures"), default=0)
    transports = models.JSONField(_("moyens de transport"), default=list, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé de sécurité")
        verbose_name_plural = _("clés de sécurité")

    def __str__(self) -> str:
        return f"{self.name} — {self.user}"


class DataSourceAccess(TimeStampedModel):
    """An organisation's access to one of the state's data APIs (API Entreprise, API Particulier):
    the token of its habilitation, kept encrypted. Its services use it too, unless they have their
    own; organisations with none use the platform's (GUICHET_API_*_TOKEN). Never in procedure
    documents (docs/exchange.md)."""

    class Provider(models.TextChoices):
        API_ENTREPRISE = "api_entreprise", _("API Entreprise")
        API_PARTICULIER = "api_particulier", _("API Particulier")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="data_accesses"
    )
    provider = models.CharField(_("source"), max_length=20, choices=Provider.choices)
    token = EncryptedTextField(_("jeton (chiffré)"))
    # API Entreprise: the legal frame of the calls, as the habilitation names it (empty: the setting's).
    context = models.CharField(_("cadre juridique (context)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("accès aux données de l’État")
        verbose_name_plural = _("accès aux données de l’État")
        constraints = [models.UniqueConstraint(fields=["organisation", "provider"], name="unique_data_access_provider")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} — {self.organisation}"
