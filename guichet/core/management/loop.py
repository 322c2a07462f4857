"""Commands that run one round at once, or, with `--every`, a round every so many seconds until
the process is stopped (what `manage.py serve` starts beside the web server and the worker)."""

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections


class LoopCommand(BaseCommand):
    """A command whose work is one round (`round`): run once, or every `--every` seconds. `started`
    (with `{every}`) is printed when the loop starts, `failed` names what a failing round interrupted.
    A command that works in batches says what one is in `batch_help`: it takes `--batch` (default
    `batch_default`), read as `self.batch`."""

    every_help = "recommencer toutes les SECONDES secondes, jusqu’à l’arrêt du processus"
    every_type: type = int
    started = ""
    failed = ""
    batch_help = ""
    batch_default = 50

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        self.batch = options.get("batch")
        every = options["every"]
        if every is None:
            self.round()
            return
        self.loop(every, self.round, started=self.started.format(every=every), failed=self.failed)

    def round(self) -> object:
        """One round of the command's work (what it reports is printed by the command itself)."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--every", type=self.every_type, metavar="SECONDES", help=self.every_help)
        if self.batch_help:
            parser.add_argument("--batch", type=int, default=self.batch_default, help=self.batch_help)

    def loop(self, every: float, round_: Callable[[], object], *, started: str, failed: str) -> None:
        """Run `round_` every `every` seconds, forever. A round that fails is reported (`failed`:
        what was interrupted) and the next one comes at its time: the loop outlives a locked or
        unreachable database, and lets go of a broken connection between rounds."""
        if every <= 0:
            raise CommandError("--every attend un nombre de secondes positif.")
        self.stdout.write(started)
        self.stdout.flush()
        while True:
            try:
                round_()
            except Exception as error:
                self.stderr.write(f"{failed} : {error}")
            finally:
                close_old_connections()
                # Seen at once in a log file, not when the buffer fills.
                self.stdout.flush()
                self.stderr.flush()
            time.sleep(every)
