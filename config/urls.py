from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from guichet.api.main import api

urlpatterns = [
    path("", include("guichet.www.public.urls")),
    path("", include("guichet.www.usager.urls")),
    path("compte/", include("guichet.www.accounts.urls")),
    path("instruction/", include("guichet.www.agent.urls")),
    path("avis/", include("guichet.www.expert.urls")),
    path("administration/demarches/", include("guichet.www.admin_procedures.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
