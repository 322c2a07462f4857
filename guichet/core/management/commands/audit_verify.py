from django.core.management.base import BaseCommand, CommandError

from guichet.core.audit import audit_verify_report


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne d’empreintes du journal d’audit et ses horodatages (RFC 3161), et désigne le "
        "premier événement altéré."
    )

    def handle(self, *args, **options):
        report = audit_verify_report()
        counts = f"{report.events} événement(s) et {report.timestamps} horodatage(s)"
        if report.broken is not None:
            raise CommandError(f"Journal d’audit altéré : {report.broken} ({counts} intègre(s) avant lui).")
        self.stdout.write(self.style.SUCCESS(f"Journal d’audit intègre : {counts} vérifié(s)."))
