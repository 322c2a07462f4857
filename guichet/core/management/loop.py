"""Commands that run one round at once, or, with `--every`, a round every so many seconds until
the process is stopped (what `manage.py serve` starts beside the web server and the worker).

Several nodes may run the same loops: each round takes the loop's lock across nodes
(core/locks.py), so one node at a time does it and the others skip their turn; a single round
(without --every, from a timer on each node) takes it too. SIGTERM or SIGINT
stops a loop gracefully: the round in hand is finished, then the command returns."""

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import close_old_connections

from guichet.core.locks import node_lock

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def _stopped_by_signals() -> Iterator[threading.Event]:
    """An event set when SIGTERM or SIGINT comes, while in the block (main thread only: elsewhere,
    signals keep their handlers and the event is never set)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _pause(stop: threading.Event, seconds: float) -> None:
    """Wait until the next round, or less when the loop is asked to stop."""
    stop.wait(seconds)


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

    def execute(self, *args, **options):
        """A single round (without --every: a systemd timer or cron, on each node) takes the loop's
        lock too, for the whole command: when another node is doing it, this one does nothing."""
        if options.get("every") is not None:
            return super().execute(*args, **options)
        with node_lock(self.lock_name) as held:
            if held:
                return super().execute(*args, **options)
        out = OutputWrapper(options["stdout"]) if options.get("stdout") else self.stdout
        out.write("Un autre nœud fait ce tour en ce moment : rien n’est fait ici.")
        return None

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

    @property
    def lock_name(self) -> str:
        """The loop's lock across nodes: the command's name."""
        return f"loop:{type(self).__module__.rsplit('.', 1)[-1]}"

    def loop(self, every: float, round_: Callable[[], object], *, started: str, failed: str) -> None:
        """Run `round_` every `every` seconds until SIGTERM or SIGINT (the round in hand finishes).
        A round that fails is reported (`failed`: what was interrupted) and the next one comes at
        its time: the loop outlives a locked or unreachable database, and lets go of a broken
        connection between rounds. A round that another node is doing is skipped."""
        if every <= 0:
            raise CommandError("--every attend un nombre de secondes positif.")
        self.stdout.write(started)
        self.stdout.flush()
        with _stopped_by_signals() as stop:
            while not stop.is_set():
                try:
                    with node_lock(self.lock_name) as held:
                        if held:
                            round_()
                except Exception as error:
                    self.stderr.write(f"{failed} : {error}")
                finally:
                    close_old_connections()
                    # Seen at once in a log file, not when the buffer fills.
                    self.stdout.flush()
                    self.stderr.flush()
                _pause(stop, every)
        self.stdout.write("Arrêt demandé : le tour en cours est terminé.")
