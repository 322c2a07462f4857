"""A procedure whose fee is charged to the company whose SIRET the applicant gives."""

from guichet.dossiers.models import TransitionName
from guichet.dossiers.workflow import dossier_transition
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

COMPANY_ANSWERS = {
    "objet": "Restauration de la toiture",
    "siret": "73282932000074",
    "entreprise": "Ateliers Dupont SAS",
    "adresse": {"street": "12 rue des Forges", "postcode": "69007", "city": "Lyon"},
    "surface": "120",
}


def company_fee_definition(*, moment="after_acceptance", **fee) -> dict:
    """A form asking for the company (its SIRET, name and address) and a fee computed on a surface."""
    return {
        "pages": [
            {
                "id": "demande",
                "title": "Votre demande",
                "fields": [
                    {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                    {"id": "siret", "type": "siret", "label": "SIRET de l’entreprise"},
                    {"id": "entreprise", "type": "text", "label": "Raison sociale", "autocomplete": "organization"},
                    {"id": "adresse", "type": "address", "label": "Adresse de l’entreprise"},
                    {"id": "surface", "type": "decimal", "label": "Surface (m²)"},
                ],
            }
        ],
        "fee": {
            "kind": "formula",
            "lines": [
                {"label": "Instruction du dossier", "unit_price": "45"},
                {"label": "Contrôle sur place (m²)", "unit_price": "0.35", "quantity": "surface"},
            ],
            "moment": moment,
            "revenue_account": "7066",
            "revenue_label": "Redevances des services à caractère culturel",
            "payer": "company",
            "payer_siret_field": "siret",
            "payer_address_field": "adresse",
            **fee,
        },
    }


def company_dossier(capture, *, state="in_instruction", answers=None, moment="after_acceptance", **fee):
    """A dossier of such a procedure brought to `state`, its follow-up chains run."""
    procedure = ProcedureFactory(draft_definition=company_fee_definition(moment=moment, **fee))
    with capture(execute=True):
        return DossierFactory(procedure=procedure, answers=answers or dict(COMPANY_ANSWERS), target_state=state)


def transition(capture, dossier, name: TransitionName):
    with capture(execute=True):
        actor = dossier.applicant if name == TransitionName.WITHDRAW else instructor_of(dossier.procedure)
        return dossier_transition(dossier=dossier, name=name, actor=actor, motivation="Motif de test.")
