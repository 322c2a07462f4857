"""Production: everything secret or machine-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY doit être défini en production.")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL doit désigner la base PostgreSQL en production.")

DEBUG = False
# Acts are sealed with the administration's certificate (GUICHET_SEAL_PKCS12_PATH or
# GUICHET_SEAL_PKCS11_MODULE), never with the development one unless asked explicitly.
GUICHET_SEAL_DEV_CA = env_bool("GUICHET_SEAL_DEV_CA", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: a year, the subdomains and the browsers' preload list by default. An installation on a
# domain whose other hosts are not all served over HTTPS says so (DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS
# and DJANGO_SECURE_HSTS_PRELOAD set to "false"): `check --deploy` then stays quiet about that choice.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
