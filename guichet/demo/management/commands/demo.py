from django.core.management.base import BaseCommand

from guichet.demo.integrations import DEMO_SERVICE_KEY, DEMO_SIRETS, DEMO_WEBHOOKS_URL
from guichet.demo.loader import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (organisations, comptes, démarches, dossiers). "
        "Sans effet si elles sont déjà chargées."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Ne pas afficher les comptes de démonstration."
        )

    def handle(self, *args, **options):
        accounts = demo_load()
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if options["quiet_accounts"]:
            return
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for account in accounts:
            self.stdout.write(f"  {account.email:<42} {account.description}")
        self.stdout.write(
            f"API : clé du compte de service de la mairie (publiée, démonstration seulement) : {DEMO_SERVICE_KEY}\n"
            f"Webhooks : la mairie est abonnée à tous les événements, envoyés à {DEMO_WEBHOOKS_URL} "
            "(manage.py webhooks_receiver, lancé par make run).\n"
            "API Entreprise (données enregistrées de démonstration) : essayez le SIRET "
            + " ou ".join(f"{siret} ({name})" for siret, name in DEMO_SIRETS.items())
            + " dans la demande de subvention."
            + "\n"
            "HubEE : la mairie est abonnée à « EtatCivil » ; les demandes du HubEE local (lancé par make run) "
            "deviennent des dossiers à la relève suivante (manage.py hubee_poll, toutes les 30 secondes)."
        )
