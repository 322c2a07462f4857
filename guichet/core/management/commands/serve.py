import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Lance ensemble le serveur web de développement et le worker des tâches ; Ctrl-C arrête les deux."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        python = sys.executable
        processes = {
            "web": subprocess.Popen([python, "manage.py", "runserver", options["addrport"]]),  # noqa: S603
            "worker": subprocess.Popen([python, "manage.py", "db_worker", "--queue-name", "*"]),  # noqa: S603
        }
        self.stdout.write(
            self.style.SUCCESS(f"Guichet : http://{options['addrport']}/ (Ctrl-C pour arrêter)")
        )
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"Arrêt : le processus {', '.join(stopped)} s’est terminé.")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
