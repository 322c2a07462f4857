"""The demonstration's HubEE démarche, without Django: the town hall's credentials for « EtatCivil »
(published on purpose, as the demo passwords are), where each answer of the birth certificate
procedure comes from, and the requests that service-public.fr deposits on the local stand-in HubEE
(tests/connectors/hubee/stand_in.py, which `manage.py serve` starts in development)."""

import json

PROCESS_CODE = "EtatCivil"
TOWN_SIRET = "21450999400015"
SERVICE_PUBLIC_SIRET = "13000918600011"  # the online service (OSL) that deposits the requests
CLIENT_ID = "guichet-demo-etatcivil-si"
CLIENT_SECRET = "demo-hubee-secret-publie-2026"  # noqa: S105 (published on purpose: a demonstration)
DATA_TYPE = "FORMULAIRE"
PROCEDURE_SLUG = "copie-integrale-acte-de-naissance"
PORT = 8002

MAPPING = [
    ("qualite_demandeur", "data.demande.qualite"),
    ("demandeur_nom", "applicant.lastName"),
    ("demandeur_prenom", "applicant.firstName"),
    ("demandeur_courriel", "applicant.email"),
    ("titulaire_nom", "data.demande.titulaire.nom"),
    ("titulaire_prenoms", "data.demande.titulaire.prenoms"),
    ("titulaire_date_naissance", "data.demande.titulaire.dateNaissance"),
    ("titulaire_commune_naissance", "data.demande.titulaire.communeNaissance"),
    ("pere_nom", "data.demande.pere.nom"),
    ("pere_prenoms", "data.demande.pere.prenoms"),
    ("mere_nom", "data.demande.mere.nom"),
    ("mere_prenoms", "data.demande.mere.prenoms"),
    ("nombre_copies", "data.demande.nombreCopies"),
    ("motif_demande", "data.demande.motif"),
    ("mode_delivrance", "data.demande.modeDelivrance"),
    ("adresse_envoi", "data.demande.adresse"),
]

_PEOPLE = [
    ("Léa", "Fontaine", "lea.fontaine", "1994-03-08", "courrier", "identite"),
    ("Hugo", "Marchand", "hugo.marchand", "1987-11-21", "guichet", "mariage"),
    ("Inès", "Bertrand", "ines.bertrand", "2001-07-02", "courrier", "succession"),
]


def demo_requests() -> list[tuple[dict, bytes]]:
    """(applicant, the request's data as service-public.fr sends it, JSON) for each demo request."""
    requests = []
    for first, last, mailbox, born, delivery, reason in _PEOPLE:
        data = {
            "demande": {
                "qualite": "interesse",
                "titulaire": {
                    "nom": last,
                    "prenoms": first,
                    "dateNaissance": born,
                    "communeNaissance": "Sainte-Croix-en-Val",
                },
                "mere": {"nom": "Durand", "prenoms": "Anne"},
                "nombreCopies": 1,
                "motif": reason,
                "modeDelivrance": delivery,
                "adresse": {"street": "3 rue des Lilas", "postcode": "45999", "city": "Sainte-Croix-en-Val"},
            }
        }
        applicant = {"firstName": first, "lastName": last, "email": f"{mailbox}@exemple.fr"}
        requests.append((applicant, json.dumps(data, ensure_ascii=False).encode()))
    return requests
