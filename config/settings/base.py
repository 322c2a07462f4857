"""Settings shared by every environment. Everything that differs between machines comes from
environment variables, so that one code base serves development, tests and production."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GUICHET_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "", *, separator: str = ",") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(separator) if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Former secret keys, still accepted (signed links, sessions, encrypted values) while a new one is rolled out.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "dsfr",
    "csp",
    "widget_tweaks",
    "axes",
    "guichet.core",
    "guichet.connectors",
    "guichet.accounts",
    "guichet.procedures",
    "guichet.dossiers",
    "guichet.instruction",
    "guichet.invoicing",
    "guichet.payments",
    "guichet.webhooks",
    "guichet.exchanges",
    "guichet.observatory",
    "guichet.documents",
    "guichet.archives",
    "guichet.api",
    "ninja",  # the API docs from our own static files, not a CDN
    "guichet.demo",
    "guichet.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy (with a nonce per response) and the other browser policies.
    "guichet.core.middleware.ContentSecurityPolicyMiddleware",
    "guichet.core.middleware.BrowserPoliciesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is read, and its checks before every view: characters no text may hold,
    # bodies too large, 405 pages (docs/decisions/0016-hostile-input.md).
    "guichet.www.middleware.RequestGuardMiddleware",
    # Whoever wrote reads the primary database for a few seconds, not a read replica (decision 0055).
    "guichet.core.read_your_writes.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A session that needs a second factor it never passed is closed (decision 0018).
    "guichet.www.accounts.assurance.SecondFactorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "guichet.www.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guichet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guichet.core.context_processors.platform",
                "guichet.www.context_processors.roles",
                "guichet.www.context_processors.accessibility",
            ],
            # `{% url %}` with each address reversed once per process (decision 0056).
            "builtins": ["guichet.core.templatetags.kept_urls"],
        },
    },
]


def _prepare_threshold() -> int | None:
    """GUICHET_DATABASE_PREPARE_THRESHOLD: a count of sendings (5 by default), or "off"."""
    value = os.environ.get("GUICHET_DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if value in ("", "off", "none"):
        return None
    if not value.isdigit():
        raise ImproperlyConfigured(
            f"GUICHET_DATABASE_PREPARE_THRESHOLD vaut « {value} » : un nombre entier positif ou « off » est attendu."
        )
    return int(value)


def database_settings(url: str | None) -> dict:
    """PostgreSQL (or any database) when DATABASE_URL is set, else an SQLite file under var/.

    SQLite runs in WAL mode so that readers never wait for the writer, and every transaction
    starts IMMEDIATE: a write transaction takes the write lock when it begins instead of failing
    with "database is locked" when it first writes."""
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Parameters travel apart from the SQL, and a statement sent a fifth time on a connection
            # is prepared there: PostgreSQL then neither parses nor plans it again (Django turns that
            # off unless asked; half the database's CPU of an applicant's flow, decision 0056). "off"
            # for a pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
            options = config.setdefault("OPTIONS", {})
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", _prepare_threshold())
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "guichet.sqlite3",
        # Kept open between requests: opening one costs more than the home page's query.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"))}


def replica_settings(url: str) -> dict:
    """A read replica (PostgreSQL streaming replication): as the primary, but a connection that does
    not come within GUICHET_REPLICA_CONNECT_TIMEOUT seconds gives up (the primary is read instead),
    and the tests read the primary's test database through it (TEST MIRROR)."""
    config = database_settings(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"]["connect_timeout"] = int(os.environ.get("GUICHET_REPLICA_CONNECT_TIMEOUT", "2"))
    return config | {"TEST": {"MIRROR": "default"}}


# Read replicas (docs/operations.md, decision 0055): GUICHET_DATABASE_REPLICAS lists their URLs,
# comma-separated, which become the aliases replica1, replica2…. Only the reads that tolerate a short
# delay go there (instructors' lists and counts, exports, the observatory, the API's lists), never
# those of a person who wrote in the last GUICHET_REPLICA_PIN_SECONDS; a replica more than
# GUICHET_REPLICA_MAX_LAG_SECONDS behind, or unreachable, is left aside (checked every
# GUICHET_REPLICA_CHECK_SECONDS by each process).
for _number, _url in enumerate(env_list("GUICHET_DATABASE_REPLICAS"), start=1):
    DATABASES[f"replica{_number}"] = replica_settings(_url)
GUICHET_REPLICA_ALIASES = [alias for alias in DATABASES if alias != "default"]
GUICHET_REPLICA_PIN_SECONDS = int(os.environ.get("GUICHET_REPLICA_PIN_SECONDS", "15"))
GUICHET_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("GUICHET_REPLICA_MAX_LAG_SECONDS", "10"))
GUICHET_REPLICA_CHECK_SECONDS = float(os.environ.get("GUICHET_REPLICA_CHECK_SECONDS", "5"))
DATABASE_ROUTERS = ["guichet.core.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "guichet.accounts.backends.LockoutBackend",
    "guichet.accounts.backends.PasswordBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "public:home"
LOGOUT_REDIRECT_URL = "public:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock-out after repeated sign-in failures (django-axes, docs/decisions/0005-sign-in-lockout-and-franceconnect.md):
# 5 wrong passwords (or second-factor codes) for one account from one address lock that pair for 15
# minutes; 30 failures from one address, whatever the accounts, lock the address (password
# spraying; higher, as a whole administration may come from one gateway address). Trying again
# during the lock-out does not make it longer. Behind a reverse proxy, set AXES_IPWARE_PROXY_COUNT
# (with django-ipware installed) so that the client's address is read from X-Forwarded-For.
AXES_FAILURE_LIMIT = int(os.environ.get("GUICHET_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GUICHET_SIGNIN_LOCKOUT_MINUTES", "15")))
GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "guichet.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "guichet.accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "guichet.www.accounts.views.locked_out"
# Pages that send an email to the address typed (sign-up, the confirmation link sent again, a new
# password) send at most so many per hour to one address, and take at most so many per hour from
# one client address: nobody can flood a mailbox, or use the platform to send mail in bulk.
# Behind a reverse proxy, RATELIMIT_IP_META_KEY names the header with the client's address.
GUICHET_EMAILS_PER_ADDRESS = os.environ.get("GUICHET_EMAILS_PER_ADDRESS", "5/h")
GUICHET_EMAILS_PER_CLIENT = os.environ.get("GUICHET_EMAILS_PER_CLIENT", "30/h")

# FranceConnect (OpenID Connect): shown on the sign-in page only when all three are set. The
# integration platform's issuer is https://fcp-low.integ01.dev-franceconnect.fr/api/v2 (README).
FRANCECONNECT_ISSUER = os.environ.get("FRANCECONNECT_ISSUER", "").rstrip("/")
FRANCECONNECT_CLIENT_ID = os.environ.get("FRANCECONNECT_CLIENT_ID", "")
FRANCECONNECT_CLIENT_SECRET = os.environ.get("FRANCECONNECT_CLIENT_SECRET", "")
FRANCECONNECT_ACR_VALUES = os.environ.get("FRANCECONNECT_ACR_VALUES", "eidas1")
FRANCECONNECT_SCOPES = "openid given_name family_name birthdate birthplace birthcountry gender email preferred_username"
FRANCECONNECT_TIMEOUT = 10  # seconds, for each call to the provider

# ProConnect (OpenID Connect, for agents: instructors, experts, procedure administrators, steering):
# shown on the sign-in page only when all three are set. The issuer is `https://<domain>/api/v2`
# (the domain alone is accepted); production: https://auth.proconnect.gouv.fr/api/v2, integration:
# https://fca.integ01.dev-agentconnect.fr/api/v2 (README). Administrators and steering users must
# have signed in at ProConnect with a second factor, else Guichet asks for its own.
PROCONNECT_ISSUER = os.environ.get("PROCONNECT_ISSUER", "").rstrip("/")
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SCOPES = "openid email given_name usual_name uid siret idp_id"
PROCONNECT_TIMEOUT = 10  # seconds, for each call to the provider

# The second factor (an authenticator app, a security key or passkey) is mandatory for every agent
# signing in with a password; false lets instructors do without (experts, administrators, steering
# users and super-administrators still need it). Applicants may turn it on from their account page.
GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS = env_bool("GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS", True)
# The keys that encrypt the authenticator apps' secrets in the database (Fernet keys, the current one
# first): empty, keys derived from SECRET_KEY and its fallbacks (guichet/core/encryption.py).
GUICHET_ENCRYPTION_KEYS = env_list("GUICHET_ENCRYPTION_KEYS")
# WebAuthn: the relying party is the site's domain, and its origin the address people reach it at.
GUICHET_WEBAUTHN_RP_ID = os.environ.get("GUICHET_WEBAUTHN_RP_ID", "")

# French for everyone: pages are not chosen from the browser's Accept-Language (which would mix
# Django's English messages into French pages); English comes with a language switch of its own.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "guichet" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# DSFR Chart (the design system's charts, MIT) from npm (`make install`), served as our own files.
STATICFILES_DIRS = [("dsfr-chart", BASE_DIR / "node_modules" / "@gouvfr" / "dsfr-chart" / "dist" / "DSFRChart")]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Dossiers' attachments: never under MEDIA_URL, only served through views that check who asks.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_storages(*, bucket: str, endpoint: str, region: str, access_key: str, secret_key: str) -> dict:
    """The "default" and "private" storages in an S3-compatible bucket (django-storages), each under
    its own prefix: private objects are only ever read through the views that check who asks
    (decision 0051), never through a bucket URL."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        # Local and sovereign S3 servers (the state's cloud, MinIO, Garage) answer on one host.
        "addressing_style": os.environ.get("GUICHET_S3_ADDRESSING_STYLE", "path"),
        "signature_version": "s3v4",
        "default_acl": None,
        # A name already taken gets a new one, as on the disk: a stored file is never replaced.
        "file_overwrite": False,
        "querystring_expire": 300,
        # A file read is downloaded into a temporary file, in memory up to this size only (the
        # default, 0, keeps any size in memory: a 2 GB export would take 2 GB of each process).
        "max_memory_size": 2 * 1024 * 1024,
    }
    return {
        # Public files (procedures' templates to fill in) are linked by a signed bucket URL: an hour,
        # so that a page left open still offers them.
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "media", "querystring_expire": 3600},
        },
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "private"}},
    }


# With a bucket (GUICHET_S3_BUCKET), attachments, acts, invoices, exports and archive packages' slips
# live there instead of under var/private/ (docs/operations.md, `manage.py files_to_bucket`).
S3_BUCKET = os.environ.get("GUICHET_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES |= s3_storages(
        bucket=S3_BUCKET,
        endpoint=os.environ.get("GUICHET_S3_ENDPOINT", ""),
        region=os.environ.get("GUICHET_S3_REGION", ""),
        access_key=os.environ.get("GUICHET_S3_ACCESS_KEY", ""),
        secret_key=os.environ.get("GUICHET_S3_SECRET_KEY", ""),
    )

# With Redis (GUICHET_REDIS_URL, e.g. redis://127.0.0.1:6379/0), the cache is shared by every
# process, and sessions are read from it instead of the database (they are still written to the
# database, so that none is lost when Redis restarts).
REDIS_URL = os.environ.get("GUICHET_REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache, its client made once rather than at each call (core/cache.py).
    CACHES = {"default": {"BACKEND": "guichet.core.cache.KeptClientRedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {
    "default": {
        # django-tasks-db's, its rows inserted by SQL built once (core/task_queue.py).
        "BACKEND": "guichet.core.task_queue.TaskDatabaseBackend",
        "QUEUES": ["default", "emails"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Guichet <ne-pas-repondre@guichet.example.fr>")
# Where the file backend (django.core.mail.backends.filebased) writes each email, one file per email.
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "emails"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp, decision 0017): scripts and styles come from our own origin,
# and an inline <script> or <style> runs only with the response's nonce (`request.csp_nonce`); no
# inline handler (on…=) or style attribute, no eval. Images may be data: URIs (the DSFR's icons,
# the QR codes); the page may be framed by no one and post forms only to itself (and to the
# FranceConnect provider when it is configured: core/middleware.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF, "data:"],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
# Permissions-Policy: the browser features no page uses are denied to every origin; WebAuthn (the
# agents' security keys, decision 0018) is allowed for our own pages only.
GUICHET_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

DSFR_USE_INTEGRITY_CHECKSUMS = True

# What the header shows: the platform's name and the administration that runs it.
GUICHET_PLATFORM_NAME = os.environ.get("GUICHET_PLATFORM_NAME", "Guichet")
# The address people reach the platform at, for the links in emails sent by the worker.
GUICHET_SITE_URL = os.environ.get("GUICHET_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
GUICHET_OPERATOR_NAME = os.environ.get("GUICHET_OPERATOR_NAME", "Démarches en ligne de l’administration")

# The footer's legal pages (guichet/www/public/legal.py): mentions légales, données personnelles,
# gestion des cookies and the accessibility statement (RGAA model). Each installation names who
# publishes it, who hosts it and whom to write to; the defaults describe the demonstration.
GUICHET_LEGAL = {
    "publisher": os.environ.get("GUICHET_PUBLISHER", GUICHET_OPERATOR_NAME),
    "publisher_address": os.environ.get("GUICHET_PUBLISHER_ADDRESS", "1 place de la République, 75000 Paris"),
    "publisher_siret": os.environ.get("GUICHET_PUBLISHER_SIRET", ""),
    "publication_director": os.environ.get("GUICHET_PUBLICATION_DIRECTOR", "La directrice ou le directeur du service"),
    "contact_email": os.environ.get("GUICHET_CONTACT_EMAIL", "contact@guichet.example.fr"),
    "host": os.environ.get("GUICHET_HOST", "Hébergeur à préciser par l’installation"),
    "host_address": os.environ.get("GUICHET_HOST_ADDRESS", ""),
    "dpo_contact": os.environ.get("GUICHET_DPO_CONTACT", "dpd@guichet.example.fr"),
    "dpo_address": os.environ.get("GUICHET_DPO_ADDRESS", ""),
    # The accessibility statement: the audit's rate of conformity to RGAA 4.1 (empty: no audit yet,
    # hence « non conforme »), its date and its author, the statement's date, and the lists that the
    # audit gives (one item a line in the variable, separated by "|").
    "accessibility_rate": os.environ.get("GUICHET_ACCESSIBILITY_RATE", ""),
    "accessibility_audit_date": os.environ.get("GUICHET_ACCESSIBILITY_AUDIT_DATE", ""),
    "accessibility_auditor": os.environ.get("GUICHET_ACCESSIBILITY_AUDITOR", ""),
    "accessibility_statement_date": os.environ.get("GUICHET_ACCESSIBILITY_STATEMENT_DATE", "7 décembre 2026"),
    "accessibility_non_conformities": env_list("GUICHET_ACCESSIBILITY_NON_CONFORMITIES", separator="|"),
    "accessibility_derogations": env_list("GUICHET_ACCESSIBILITY_DEROGATIONS", separator="|"),
    "accessibility_contact": os.environ.get("GUICHET_ACCESSIBILITY_CONTACT", ""),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The fonts of each act are subset by fontTools, which tells every step at INFO.
        "fontTools": {"level": "WARNING"},
        # factur-x tells at INFO every check and embedding of every invoice.
        "factur-x": {"level": "WARNING"},
    },
}
# Sealed acts (guichet/documents, docs/decisions/0010-sealed-acts.md; the connectors seal_* and
# timestamping in guichet/connectors/): the seal's key in a PKCS#12
# file or in a PKCS#11 token (HSM); without either, a development authority and seal certificate are
# created under var/seal/, which production refuses (GUICHET_SEAL_DEV_CA=false in prod.py). With a
# timestamping authority (RFC 3161), seals are PAdES B-T, else B-B.
GUICHET_SEAL_PKCS12_PATH = os.environ.get("GUICHET_SEAL_PKCS12_PATH", "")
GUICHET_SEAL_PKCS12_PASSWORD = os.environ.get("GUICHET_SEAL_PKCS12_PASSWORD", "")
GUICHET_SEAL_PKCS11_MODULE = os.environ.get("GUICHET_SEAL_PKCS11_MODULE", "")
GUICHET_SEAL_PKCS11_TOKEN = os.environ.get("GUICHET_SEAL_PKCS11_TOKEN", "")
GUICHET_SEAL_PKCS11_KEY_LABEL = os.environ.get("GUICHET_SEAL_PKCS11_KEY_LABEL", "")
GUICHET_SEAL_PKCS11_CERT_LABEL = os.environ.get("GUICHET_SEAL_PKCS11_CERT_LABEL", "")
GUICHET_SEAL_PKCS11_PIN = os.environ.get("GUICHET_SEAL_PKCS11_PIN", "")
GUICHET_SEAL_DEV_CA = env_bool("GUICHET_SEAL_DEV_CA", True)
GUICHET_SEAL_TSA_URL = os.environ.get("GUICHET_SEAL_TSA_URL", "")
GUICHET_SEAL_TSA_TIMEOUT = int(os.environ.get("GUICHET_SEAL_TSA_TIMEOUT", "10"))
# The audit chain's head is timestamped every day by an RFC 3161 authority (docs/decisions/0001):
# GUICHET_AUDIT_TSA_URL, or the seals' authority when empty (no authority: no timestamps), with
# the seals' timeout. GUICHET_AUDIT_TSA_ROOTS: a PEM file of the authorities' root certificates
# that `audit_verify` requires the tokens to chain to (empty: it checks signatures, not trust).
GUICHET_AUDIT_TSA_URL = os.environ.get("GUICHET_AUDIT_TSA_URL", "")
GUICHET_AUDIT_TSA_ROOTS = os.environ.get("GUICHET_AUDIT_TSA_ROOTS", "")

# The address the error pages offer to write to (« Nous contacter »), the legal pages' own; no link
# when empty.
GUICHET_CONTACT_EMAIL = GUICHET_LEGAL["contact_email"]
# Calls to the API per key (or per client address without a key), beyond which it answers 429.
GUICHET_API_RATE = os.environ.get("GUICHET_API_RATE", "600/m")
# How many reverse proxies stand in front of the platform, each appending the address it saw to
# X-Forwarded-For: the API reads the client's address (a service account's allowed addresses, the
# rate limit without a key) that many places from the header's end. 0: REMOTE_ADDR.
GUICHET_API_PROXY_COUNT = int(os.environ.get("GUICHET_API_PROXY_COUNT", "0"))
# How long the changes feed (GET /api/v1/dossiers/changes) keeps a change: a client whose cursor is
# older is told to start again from a full list (410). Pruned by `manage.py dossier_files_purge`.
GUICHET_API_CHANGES_RETENTION_DAYS = int(os.environ.get("GUICHET_API_CHANGES_RETENTION_DAYS", "90"))
# How long the one-use link of a prefilled dossier (made through the API) may be followed.
GUICHET_PREFILL_LINK_DAYS = int(os.environ.get("GUICHET_PREFILL_LINK_DAYS", "30"))

# The largest file an applicant or an agent may attach (a procedure's field may ask for less).
GUICHET_UPLOAD_MAX_MB = int(os.environ.get("GUICHET_UPLOAD_MAX_MB", "50"))
# ClamAV's clamd scans every upload (guichet/connectors/clamav): `tcp://host:port` or
# `unix:///run/clamav/clamd.ctl`. Empty, the default: no scan (development); production sets it.
GUICHET_CLAMAV_ADDRESS = os.environ.get("GUICHET_CLAMAV_ADDRESS", "")
GUICHET_CLAMAV_TIMEOUT = int(os.environ.get("GUICHET_CLAMAV_TIMEOUT", "30"))
# Files that no answer, message or avis refers to any more are removed after this many hours (the
# grace lets an upload finish: its file is kept before the answers that refer to it are saved).
# The worker's finished task results (which may hold a rendered email) are deleted after these days
# by the daily round (core/task_results.py, decision 0023).
GUICHET_TASK_RESULTS_KEPT_DAYS = int(os.environ.get("GUICHET_TASK_RESULTS_KEPT_DAYS", "7"))
GUICHET_UPLOAD_ORPHAN_GRACE_HOURS = int(os.environ.get("GUICHET_UPLOAD_ORPHAN_GRACE_HOURS", "24"))

# The follow-up chain (guichet/instruction/followup/chain.py): how long a worker holds a step it took
# (a worker that dies gives it back after this time, to `followups_resume`), and how long that loop
# leaves a chain just committed to the task enqueued for it. A minute each: longer than the slowest
# step on a busy node, short enough that a receipt delayed by a dead worker leaves a minute later.
GUICHET_FOLLOWUP_LEASE_SECONDS = int(os.environ.get("GUICHET_FOLLOWUP_LEASE_SECONDS", "60"))
GUICHET_FOLLOWUP_RESUME_GRACE_SECONDS = int(os.environ.get("GUICHET_FOLLOWUP_RESUME_GRACE_SECONDS", "60"))
# A task left « running » by a worker that died is put back in the queue by `tasks_recover` (its
# worker's lock gone), once it has been running this long (guichet/core/task_recovery.py).
GUICHET_TASKS_RECOVER_GRACE_SECONDS = int(os.environ.get("GUICHET_TASKS_RECOVER_GRACE_SECONDS", "30"))

# Online payment of fees (guichet/connectors/payfip; decision 0038): PayFiP when its collectivity
# code is set (saisie T test, X activation, W production), else the dummy page when
# GUICHET_PAYMENT_DUMMY is true (demonstration only: nothing is paid).
GUICHET_PAYFIP_NUMCLI = os.environ.get("GUICHET_PAYFIP_NUMCLI", "")
GUICHET_PAYFIP_SAISIE = os.environ.get("GUICHET_PAYFIP_SAISIE", "T")
GUICHET_PAYFIP_URL = os.environ.get("GUICHET_PAYFIP_URL", "https://www.payfip.gouv.fr/tpa/services/securite")
GUICHET_PAYFIP_PAYMENT_URL = os.environ.get(
    "GUICHET_PAYFIP_PAYMENT_URL", "https://www.payfip.gouv.fr/tpa/paiementws.web"
)
GUICHET_PAYFIP_TIMEOUT = float(os.environ.get("GUICHET_PAYFIP_TIMEOUT", "15"))
GUICHET_PAYMENT_DUMMY = env_bool("GUICHET_PAYMENT_DUMMY", False)

# Transfers of SEDA packages to an archival system (guichet/connectors/vitam and archive_directory;
# the archives app asks the registry for "archive_transfer"). Vitam when GUICHET_VITAM_URL is set
# (ingest-external over mutual TLS: Guichet's client certificate and key, the authorities of
# Vitam's server certificate; admin-external, which follows the operations, at
# GUICHET_VITAM_ADMIN_URL where it is served apart), else a folder when GUICHET_ARCHIVE_DIRECTORY
# is set, else no transfer.
GUICHET_VITAM_URL = os.environ.get("GUICHET_VITAM_URL", "")
GUICHET_VITAM_ADMIN_URL = os.environ.get("GUICHET_VITAM_ADMIN_URL", "")
GUICHET_VITAM_TENANT = os.environ.get("GUICHET_VITAM_TENANT", "")
GUICHET_VITAM_CONTEXT = os.environ.get("GUICHET_VITAM_CONTEXT", "DEFAULT_WORKFLOW")
GUICHET_VITAM_CERT = os.environ.get("GUICHET_VITAM_CERT", "")
GUICHET_VITAM_KEY = os.environ.get("GUICHET_VITAM_KEY", "")
GUICHET_VITAM_CA = os.environ.get("GUICHET_VITAM_CA", "")
GUICHET_VITAM_ACCESS_CONTRACT = os.environ.get("GUICHET_VITAM_ACCESS_CONTRACT", "")
GUICHET_VITAM_TIMEOUT = int(os.environ.get("GUICHET_VITAM_TIMEOUT", "120"))
GUICHET_ARCHIVE_DIRECTORY = os.environ.get("GUICHET_ARCHIVE_DIRECTORY", "")
# Or an S3-compatible bucket (guichet/connectors/archive_bucket), when GUICHET_ARCHIVE_BUCKET is set: its
# endpoint (empty: AWS), region, credentials (empty: boto3's usual sources), a key prefix, a timeout.
GUICHET_ARCHIVE_BUCKET = os.environ.get("GUICHET_ARCHIVE_BUCKET", "")
GUICHET_ARCHIVE_BUCKET_PREFIX = os.environ.get("GUICHET_ARCHIVE_BUCKET_PREFIX", "")
GUICHET_ARCHIVE_S3_ENDPOINT = os.environ.get("GUICHET_ARCHIVE_S3_ENDPOINT", "")
GUICHET_ARCHIVE_S3_REGION = os.environ.get("GUICHET_ARCHIVE_S3_REGION", "")
GUICHET_ARCHIVE_S3_ACCESS_KEY = os.environ.get("GUICHET_ARCHIVE_S3_ACCESS_KEY", "")
GUICHET_ARCHIVE_S3_SECRET_KEY = os.environ.get("GUICHET_ARCHIVE_S3_SECRET_KEY", "")
GUICHET_ARCHIVE_S3_TIMEOUT = int(os.environ.get("GUICHET_ARCHIVE_S3_TIMEOUT", "60"))

# Archiving (guichet/archives): where packages wait between their building and the archival system's
# acknowledgement (they are removed once it is received).
# What every package declares besides the procedure's settings: the archives service that receives
# them (its identifier in the archival system; empty: the organisation's SIRET), and the code of the
# appraisal rule in the archival system's referential, from the DUA in years (« {years} »).
GUICHET_ARCHIVES_ARCHIVAL_AGENCY = os.environ.get("GUICHET_ARCHIVES_ARCHIVAL_AGENCY", "")
GUICHET_ARCHIVES_APPRAISAL_RULE = os.environ.get("GUICHET_ARCHIVES_APPRAISAL_RULE", "APP-{years}A")
GUICHET_ARCHIVE_WORK_DIR = Path(os.environ.get("GUICHET_ARCHIVE_WORK_DIR", str(VAR_DIR / "archives" / "work")))
# How long a worker holds the transfer it took (building a large dossier's package takes seconds, its
# upload may take minutes): a worker that dies gives its transfers back after this time.
GUICHET_ARCHIVE_TRANSFER_LEASE_SECONDS = int(os.environ.get("GUICHET_ARCHIVE_TRANSFER_LEASE_SECONDS", "600"))

# Invoices to companies (guichet/invoicing, docs/decisions/0041-chorus-pro-deposit.md): Chorus Pro through
# PISTE when GUICHET_CHORUS_PRO_URL is set (https://api.piste.gouv.fr, or the sandbox
# https://sandbox-api.piste.gouv.fr), with PISTE's token endpoint, the PISTE application's client id and
# secret, the Chorus Pro technical account's login and password (sent as cpro-account), and a timeout in
# seconds. GUICHET_INVOICING_DUMMY selects an in-process platform that accepts everything (demo only).
GUICHET_CHORUS_PRO_URL = os.environ.get("GUICHET_CHORUS_PRO_URL", "")
GUICHET_CHORUS_PRO_OAUTH_URL = os.environ.get(
    "GUICHET_CHORUS_PRO_OAUTH_URL", "https://oauth.piste.gouv.fr/api/oauth/token"
)
GUICHET_CHORUS_PRO_CLIENT_ID = os.environ.get("GUICHET_CHORUS_PRO_CLIENT_ID", "")
GUICHET_CHORUS_PRO_CLIENT_SECRET = os.environ.get("GUICHET_CHORUS_PRO_CLIENT_SECRET", "")
GUICHET_CHORUS_PRO_LOGIN = os.environ.get("GUICHET_CHORUS_PRO_LOGIN", "")
GUICHET_CHORUS_PRO_PASSWORD = os.environ.get("GUICHET_CHORUS_PRO_PASSWORD", "")
GUICHET_CHORUS_PRO_TIMEOUT = float(os.environ.get("GUICHET_CHORUS_PRO_TIMEOUT", "30"))
GUICHET_INVOICING_DUMMY = env_bool("GUICHET_INVOICING_DUMMY", False)

# Webhooks (docs/decisions/0027-webhooks.md). Internal networks that may receive them all the same
# (comma-separated CIDRs; empty: public addresses only), whether http:// is refused, the timeout of
# one attempt (seconds), how long a message is retried (hours), after how many days of failing
# without a success a subscription is disabled, how long a rotated secret still signs (hours), and
# how long a worker holds a delivery it took (seconds).
GUICHET_WEBHOOKS_ALLOWED_NETWORKS = env_list("GUICHET_WEBHOOKS_ALLOWED_NETWORKS")
GUICHET_WEBHOOKS_HTTPS_ONLY = env_bool("GUICHET_WEBHOOKS_HTTPS_ONLY", True)
GUICHET_WEBHOOKS_TIMEOUT = float(os.environ.get("GUICHET_WEBHOOKS_TIMEOUT", "15"))
GUICHET_WEBHOOKS_RETRY_HOURS = float(os.environ.get("GUICHET_WEBHOOKS_RETRY_HOURS", "24"))
GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS = float(os.environ.get("GUICHET_WEBHOOKS_DISABLE_AFTER_DAYS", "3"))
GUICHET_WEBHOOKS_SECRET_OVERLAP_HOURS = float(os.environ.get("GUICHET_WEBHOOKS_SECRET_OVERLAP_HOURS", "24"))
GUICHET_WEBHOOKS_LEASE_SECONDS = int(os.environ.get("GUICHET_WEBHOOKS_LEASE_SECONDS", "60"))

# Data sources for form fields (docs/exchange.md, decision 0032): API Entreprise fills fields from a
# SIRET, API Particulier from the applicant's FranceConnect identity. Each address empty: no such
# source (fields are typed), unless GUICHET_DATA_SOURCES_DEMO selects the recorded answers of the
# demonstration (development only). The applicant waits for each call: a short timeout, no retry.
# Tokens belong to organisations (« Accès aux données de l'État » in the Django administration,
# encrypted); the *_TOKEN settings serve the organisations that have none of their own.
GUICHET_API_ENTREPRISE_URL = os.environ.get("GUICHET_API_ENTREPRISE_URL", "")
GUICHET_API_ENTREPRISE_TIMEOUT = float(os.environ.get("GUICHET_API_ENTREPRISE_TIMEOUT", "3"))
GUICHET_API_ENTREPRISE_TOKEN = os.environ.get("GUICHET_API_ENTREPRISE_TOKEN", "")
# The legal frame of the calls (`context`), as the habilitation names it.
GUICHET_API_ENTREPRISE_CONTEXT = os.environ.get("GUICHET_API_ENTREPRISE_CONTEXT", "Démarche en ligne")
GUICHET_API_PARTICULIER_URL = os.environ.get("GUICHET_API_PARTICULIER_URL", "")
GUICHET_API_PARTICULIER_TIMEOUT = float(os.environ.get("GUICHET_API_PARTICULIER_TIMEOUT", "3"))
GUICHET_API_PARTICULIER_TOKEN = os.environ.get("GUICHET_API_PARTICULIER_TOKEN", "")
GUICHET_DATA_SOURCES_DEMO = env_bool("GUICHET_DATA_SOURCES_DEMO", False)
# HubEE (guichet/connectors/hubee/, docs/exchange.md): the télédossiers API (ends with /teledossiers/v1;
# pre-production https://api.bas.hubee.numerique.gouv.fr/teledossiers/v1) and its token endpoint
# (https://auth.bas.hubee.numerique.gouv.fr/oauth2/token). Empty: no exchange through HubEE. Each
# démarche's client id and secret are kept, encrypted, on its subscription (administration screen).
GUICHET_HUBEE_API_URL = os.environ.get("GUICHET_HUBEE_API_URL", "")
GUICHET_HUBEE_TOKEN_URL = os.environ.get("GUICHET_HUBEE_TOKEN_URL", "")
GUICHET_HUBEE_TIMEOUT = float(os.environ.get("GUICHET_HUBEE_TIMEOUT", "30"))

# A draft never filed and left untouched this many days is deleted with its files, its applicant
# warned by email GUICHET_DRAFT_EXPIRY_WARNING_DAYS before (guichet/archives/drafts.py). Six months:
# past it a draft is abandoned in practice, and personal data kept for a procedure never started is
# kept for nothing (RGPD, storage limitation); a change to the draft starts the count again.
GUICHET_DRAFT_RETENTION_DAYS = int(os.environ.get("GUICHET_DRAFT_RETENTION_DAYS", "180"))
GUICHET_DRAFT_EXPIRY_WARNING_DAYS = int(os.environ.get("GUICHET_DRAFT_EXPIRY_WARNING_DAYS", "7"))
