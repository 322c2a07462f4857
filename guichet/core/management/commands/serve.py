import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

HUBEE_STAND_IN = Path(settings.BASE_DIR) / "tests" / "connectors" / "hubee" / "stand_in.py"


class Command(BaseCommand):
    help = (
        "Lance ensemble le serveur web de développement, le worker des tâches (et la remise en file des "
        "tâches interrompues), la vérification "
        "périodique des délais d’instruction, la reprise des suites des changements d’état, le scellement "
        "et l’horodatage quotidien du journal d’audit, l’envoi des webhooks, le calcul quotidien de "
        "l’observatoire, le nettoyage des fichiers joints inutilisés et le rapprochement des paiements en ligne ; "
        "Ctrl-C arrête le tout."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--deadlines-every",
            type=int,
            default=300,
            metavar="SECONDES",
            help="intervalle entre deux vérifications des délais (décisions implicites)",
        )

    def handle(self, *args, **options):
        # Ctrl-C and a plain `kill` both stop the processes, even when started in the background.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        commands = {
            "web": ["runserver", options["addrport"]],
            "worker": ["db_worker", "--queue-name", "*", "--reload"],
            # Implicit decisions when deadlines pass (docs/decisions/0008-deadlines.md).
            "deadlines": ["deadlines_apply", "--every", str(options["deadlines_every"])],
            # The audit trail's hash chain, sealed in commit order (docs/decisions/0001-audit-hash-chain.md).
            "audit": ["audit_seal", "--every", "1"],
            # The chain's head timestamped by an RFC 3161 authority once a day, when one is configured
            # (its first round at start); a round the authority misses is tried again the next day.
            "audit_timestamp": ["audit_timestamp", "--every", "86400"],
            # What follows each transition (acts, emails, notices), taken up again when its task was
            # lost or its worker stopped: a killed worker delays a receipt by about a minute.
            "followups": ["followups_resume", "--every", "60"],
            # The observatory's daily aggregation, handed to the worker (docs/decisions/0011-observatory.md).
            "observatory": ["observatory_aggregate", "--every", "600"],
            # Files that no answer refers to any more (removed from a draft, replaced), after a grace.
            "files": ["dossier_files_purge", "--every", "3600"],
            # Retention: dossiers whose administrative usefulness period ended go to their final fate.
            "archives": ["archives_review", "--every", "3600"],
            # Transfers to the archival system (Vitam or a folder), followed until their reply.
            "transfers": ["archives_transfer", "--every", "300"],
            # Invoices to companies: deposited on Chorus Pro, then followed until paid or rejected.
            "invoices": ["invoices_follow", "--every", "60"],
            # Tasks left « running » by a worker that was killed, put back in the queue (core/task_recovery.py).
            "tasks_recover": ["tasks_recover", "--every", "30"],
            # Webhooks: deliveries due again after a failure, or left by a worker that stopped (the
            # first sending is a task enqueued as the event commits).
            "webhooks": ["webhooks_deliver", "--every", "10"],
            # Drafts never filed: their applicant warned a week before, then deleted (archives/drafts.py).
            "drafts": ["drafts_expire", "--every", "3600"],
            # Online payments whose result nobody brought back (the applicant never came back, the
            # notification was lost), asked of the payment service; the quittances not yet made.
            "payments": ["payments_reconcile", "--every", "120"],
            # HubEE: the subscriptions' cases received as dossiers, the dossiers sent followed.
            "hubee": ["hubee_poll", "--every", "30"],
        }
        if settings.DEBUG:
            # The demo's webhook subscription sends here: each notification verified and printed
            # (guichet/demo/integrations.py). Development only.
            commands["webhooks_receiver"] = ["webhooks_receiver", "--port", "8001"]
        processes_python = {}
        hubee = urlsplit(settings.GUICHET_HUBEE_API_URL)
        if settings.DEBUG and hubee.hostname == "127.0.0.1" and HUBEE_STAND_IN.is_file():
            # The demo's HubEE (tests/connectors/hubee/stand_in.py), where the settings expect it, with
            # service-public.fr's requests for the town hall (guichet/demo/hubee_cases.py). Development only.
            port = str(hubee.port or 80)
            processes_python["hubee_stand_in"] = ["-m", "tests.connectors.hubee.stand_in", "--port", port]
        # Each child runs in a process group of its own, so that stopping it also stops what it
        # started (runserver's autoreloader runs the server in a grandchild).
        processes = {
            name: subprocess.Popen([sys.executable, "manage.py", *argv], start_new_session=True)  # noqa: S603
            for name, argv in commands.items()
        }
        for name, argv in processes_python.items():
            processes[name] = subprocess.Popen([sys.executable, *argv], start_new_session=True)  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Guichet : http://{options['addrport']}/ (Ctrl-C pour arrêter)"))
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"Arrêt : le processus {', '.join(stopped)} s’est terminé.")
        except KeyboardInterrupt:
            self.stdout.write("Arrêt demandé.")
        finally:
            for process in processes.values():
                self._signal(process, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self._signal(process, signal.SIGKILL)

    @staticmethod
    def _signal(process: subprocess.Popen, signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
