"""A local webhook receiver for development: what an administration's software would run to hear of
Guichet's events. Each notification's signature is verified with the Standard Webhooks reference
package, with the secrets of the subscriptions that send to this port (read from the database at
each request, so that a rotation is followed), and the event is printed."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand
from django.db import connection
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from guichet.demo.integrations import DEMO_WEBHOOKS_PORT
from guichet.webhooks.models import WebhookSubscription


def subscription_secrets(port: int) -> list[str]:
    """The secrets (current, and previous during a rotation) of the subscriptions sent to this port
    of the loopback."""
    secrets: list[str] = []
    for prefix in ("http://127.0.0.1", "http://localhost"):
        for subscription in WebhookSubscription.objects.filter(url__startswith=f"{prefix}:{port}/"):
            secrets += [secret for secret in (subscription.secret, subscription.previous_secret) if secret]
    return secrets


def receiver_server(*, port: int, write, address: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The receiver's server (not yet serving): 204 for a notification whose signature one of the
    subscriptions' secrets verifies, 401 otherwise. `write` gets one line per request."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            payload = None
            try:
                secrets = subscription_secrets(server.server_address[1])
            finally:
                connection.close()  # this request's thread ends here: its connection with it
            for secret in secrets:
                try:
                    payload = Webhook(secret).verify(body, headers)
                    break
                except WebhookVerificationError:
                    continue
            if payload is None:
                write(f"REFUSÉ  {headers.get('webhook-id', '?')} : signature invalide (aucun secret ne la vérifie)")
                self.send_response(401)
            else:
                data = payload.get("data", {})
                dossier = data.get("dossier", {})
                change = f" {data['from']} → {data['to']}" if "from" in data else ""
                write(
                    f"REÇU    {headers['webhook-id']} {payload.get('type')}{change} "
                    f"dossier {dossier.get('number', '?')} {dossier.get('url', '')}\n"
                    f"        {json.dumps(payload, ensure_ascii=False)}"
                )
                self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass  # one line per notification, written above

    server = ThreadingHTTPServer((address, port), Handler)
    server.daemon_threads = True
    return server


class Command(BaseCommand):
    help = (
        "Lance un récepteur de webhooks local (pour le développement) : il vérifie la signature de chaque "
        "notification avec le secret de l’abonnement (lu dans la base) et affiche l’événement reçu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=DEMO_WEBHOOKS_PORT)

    def handle(self, *args, **options):
        server = receiver_server(port=options["port"], write=self._write)
        self.stdout.write(
            self.style.SUCCESS(f"Récepteur de webhooks : http://127.0.0.1:{options['port']}/ (Ctrl-C pour arrêter)")
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _write(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
