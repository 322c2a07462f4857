from datetime import datetime

from django.utils import timezone

from guichet.core.sequences import sequence_next


def dossier_number_next(at: datetime) -> str:
    """The next dossier number, e.g. "2026-000042": the year of filing and a gapless counter."""
    year = timezone.localtime(at).year
    return f"{year}-{sequence_next(f'dossier-{year}'):06d}"
