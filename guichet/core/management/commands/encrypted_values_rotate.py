from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from guichet.core.encryption import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Chiffre de nouveau, avec la première clé (GUICHET_ENCRYPTION_KEYS, sinon celle tirée de "
        "SECRET_KEY), toutes les valeurs chiffrées de la base : à lancer après avoir ajouté une clé en "
        "tête, avant de retirer l’ancienne."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
            if not names:
                continue
            with transaction.atomic():
                # Read in clear (any key), written back encrypted with the first key.
                for row in model._base_manager.select_for_update().only("pk", *names):
                    model._base_manager.filter(pk=row.pk).update(**{name: getattr(row, name) for name in names})
                    total += 1
        self.stdout.write(f"Valeurs chiffrées de nouveau : {total} ligne(s).")
