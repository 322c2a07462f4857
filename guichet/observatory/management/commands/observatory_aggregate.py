import time

from django.core.management.base import CommandError

from guichet.core.management.loop import LoopCommand
from guichet.observatory.models import AggregationRun
from guichet.observatory.probes import PROBE_INTERVAL, observatory_probe
from guichet.observatory.services import aggregation_request, observatory_daily_request
from guichet.observatory.tasks import aggregation_run


class Command(LoopCommand):
    help = (
        "Calcule les indicateurs de l’observatoire (qualité des démarches, volumes, délais, avis, "
        "baromètre) dans ses tables de synthèse. Sans option, calcule tout de suite ; avec --every, "
        "demande au worker le calcul du jour une fois par jour et visite toutes les 10 minutes la page "
        "de chaque démarche publiée, pour sa disponibilité et sa rapidité (c’est ce que fait `manage.py serve`)."
    )

    every_help = "vérifier toutes les SECONDES secondes s’il faut lancer le calcul du jour, jusqu’à l’arrêt"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--enqueue", action="store_true", help="confier le calcul au worker au lieu de le faire ici"
        )

    def handle(self, *args, **options):
        every = options["every"]
        if every is None:
            if options["enqueue"]:
                run = aggregation_request(actor=None, trigger=AggregationRun.Trigger.COMMAND)
                self.stdout.write(f"Calcul demandé au worker (n°{run.pk}).")
                return
            run = AggregationRun.objects.create(trigger=AggregationRun.Trigger.COMMAND)
            try:
                run = aggregation_run(run)
            except Exception as error:
                raise CommandError(f"Calcul de l’observatoire en échec : {error}") from error
            self.stdout.write(f"Observatoire : {run.entries} démarche(s) calculée(s).")
            return
        # The first visit one interval after the start: the web server started beside this loop
        # (`manage.py serve`) may not listen yet, and a platform starting is not a platform down.
        last_probe = time.monotonic()

        def round_() -> None:
            nonlocal last_probe
            if time.monotonic() - last_probe >= PROBE_INTERVAL.total_seconds():
                last_probe = time.monotonic()
                observatory_probe()
            run = observatory_daily_request()
            if run is not None:
                self.stdout.write(f"Calcul quotidien de l’observatoire demandé (n°{run.pk}).")

        self.loop(
            every,
            round_,
            started=f"Observatoire : calcul quotidien, vérification toutes les {every} secondes.",
            failed="Demande du calcul de l’observatoire interrompue",
        )
