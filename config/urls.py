from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from guichet.api.main import api
from guichet.www import health
from guichet.www.accounts.views import admin_login_redirect

urlpatterns = [
    path("sante/vivant", health.alive, name="health_alive"),
    path("sante/pret", health.ready, name="health_ready"),
    path("", include("guichet.www.public.urls")),
    path("", include("guichet.www.usager.urls")),
    path("", include("guichet.www.payments.urls")),
    path("compte/", include("guichet.www.accounts.urls")),
    path("instruction/", include("guichet.www.agent.urls")),
    path("avis/", include("guichet.www.expert.urls")),
    path("observatoire/", include("guichet.www.observatoire.urls")),
    path("administration/demarches/", include("guichet.www.admin_procedures.urls")),
    path("administration/webhooks/", include("guichet.www.webhooks.urls")),
    path("administration/hubee/", include("guichet.www.hubee.urls")),
    path("administration/comptes-de-service/", include("guichet.www.admin_procedures.service_accounts_urls")),
    path("archives/", include("guichet.www.archives.urls")),
    path("api/v1/", api.urls),
    # The Django admin signs in through Guichet's own sign-in (password, then the second factor),
    # never through its own page, which would open a session on the password alone.
    path("admin/login/", admin_login_redirect),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# French pages in the DSFR's pattern (JSON under /api/): guichet/www/errors.py.
handler400 = "guichet.www.errors.bad_request"
handler403 = "guichet.www.errors.permission_denied"
handler404 = "guichet.www.errors.page_not_found"
handler500 = "guichet.www.errors.server_error"
