from django.core.management.base import BaseCommand, CommandError

from guichet.core.audit_verification import AuditTrustRootsUnreadable, audit_verify_report


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne d’empreintes du journal d’audit et ses horodatages (RFC 3161), et désigne le "
        "premier événement altéré."
    )

    def handle(self, *args, **options):
        try:
            report = audit_verify_report()
        except AuditTrustRootsUnreadable as error:
            raise CommandError(str(error)) from None
        counts = f"{report.events} événement(s) et {report.timestamps} horodatage(s)"
        if report.broken is not None:
            raise CommandError(f"Journal d’audit altéré : {report.broken} ({counts} intègre(s) avant lui).")
        self.stdout.write(self.style.SUCCESS(f"Journal d’audit intègre : {counts} vérifié(s)."))
        if report.timestamps and not report.trust_checked:
            self.stdout.write(
                self.style.WARNING(
                    "Attention : les horodatages ont été vérifiés pour leur intégrité (la signature correspond "
                    "à leur contenu, qui correspond à la chaîne), pas pour la confiance dans l’autorité qui les a "
                    "signés : GUICHET_AUDIT_TSA_ROOTS n’est pas renseigné. En production, indiquez-y le fichier "
                    "PEM des certificats racines de l’autorité d’horodatage."
                )
            )
