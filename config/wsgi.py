import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

from guichet.core.serving import serving_process_settle  # noqa: E402 (once Django is set up)

serving_process_settle()
