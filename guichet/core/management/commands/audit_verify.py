from django.core.management.base import BaseCommand, CommandError

from guichet.core.audit import audit_verify


class Command(BaseCommand):
    help = "Vérifie la chaîne d’empreintes du journal d’audit et désigne le premier événement altéré."

    def handle(self, *args, **options):
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(f"Journal d’audit altéré : {broken} ({checked} événement(s) intègre(s) avant lui).")
        self.stdout.write(self.style.SUCCESS(f"Journal d’audit intègre : {checked} événement(s) vérifié(s)."))
