"""Demo procedures: four realistic démarches with their forms. The definitions follow
`guichet.procedures.definition`; the fake answers that fill their dossiers are in answers.py."""

from dataclasses import dataclass
from typing import Any

# Imported from here by the benchmarks and older tests; their home is answers.py and pools.py.
from .answers import REFERENCE_DATE, fake_answers
from .pools import EU_COUNTRIES, FEMALE_FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS, MALE_FIRST_NAMES

__all__ = [
    "FEMALE_FIRST_NAMES",
    "LAST_NAMES",
    "MAIL_DOMAINS",
    "MALE_FIRST_NAMES",
    "PROCEDURES",
    "REFERENCE_DATE",
    "DemoProcedure",
    "fake_answers",
]


@dataclass(frozen=True)
class DemoProcedure:
    organisation_slug: str
    slug: str
    title: str
    summary: str
    description: str
    processing_days: int
    groups: tuple[str, ...]  # instructor groups, the first is the default one
    definition: dict
    silence_rule: str = "none"
    data_needed: str = ""


# ---------------------------------------------------------------------------------------------
# Definition helpers

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
PDF_OR_IMAGE = [PDF, JPEG, PNG]


def _when(field_id: str, value: Any, op: str = "eq") -> dict:
    return {"all": [{"field": field_id, "op": op, "value": value}]}


def _options(*pairs: tuple[str, str]) -> list[dict]:
    return [{"value": value, "label": label} for value, label in pairs]


CIVILITES = _options(("madame", "Madame"), ("monsieur", "Monsieur"))


# ---------------------------------------------------------------------------------------------
# (1) Autorisation de travaux sur un immeuble classé

_MANDATAIRE = _when("qualite_demandeur", "mandataire")

MONUMENT_WORKS = DemoProcedure(
    organisation_slug="drac-ile-de-france",
    slug="autorisation-travaux-monument-historique",
    title="Demande d’autorisation de travaux sur un immeuble classé au titre des monuments historiques",
    summary=(
        "Obtenir l’autorisation du préfet de région avant de restaurer, réparer ou modifier un immeuble "
        "classé au titre des monuments historiques."
    ),
    description=(
        "Aucun travail de restauration, de réparation ou de modification, même partiel, ne peut être "
        "entrepris sur un immeuble classé au titre des monuments historiques sans l’autorisation du préfet "
        "de région (article L621-9 du Code du patrimoine). Cette démarche en ligne remplace l’envoi du "
        "formulaire cerfa n° 15459.\n\n"
        "Qui peut déposer la demande ? Le propriétaire de l’immeuble, ou la personne qu’il a mandatée : "
        "architecte, maître d’ouvrage délégué, syndic…\n\n"
        "Pièces à préparer : les plans de l’état existant et du projet, des photographies de l’édifice, "
        "une notice descriptive des travaux et, si vous agissez pour le compte du propriétaire, le mandat "
        "qu’il a signé.\n\n"
        "La demande est instruite par l’unité départementale de l’architecture et du patrimoine (UDAP) "
        "du département où se trouve l’immeuble. Les travaux ne peuvent pas commencer avant la délivrance "
        "de l’autorisation ; ils sont ensuite exécutés sous le contrôle scientifique et technique des "
        "services de l’État."
    ),
    processing_days=180,
    silence_rule="acceptance",
    data_needed=(
        "- les plans de l’état existant et du projet ;\n"
        "- des photographies de l’édifice ;\n"
        "- une notice descriptive des travaux ;\n"
        "- le mandat signé du propriétaire, si vous agissez pour son compte."
    ),
    groups=("UDAP Paris", "UDAP Hauts-de-Seine", "UDAP Seine-Saint-Denis"),
    definition={
        "pages": [
            {
                "id": "demandeur",
                "title": "Le demandeur",
                "description": (
                    "Le propriétaire peut confier cette démarche à un mandataire : architecte, maître "
                    "d’ouvrage délégué, syndic…"
                ),
                "fields": [
                    {
                        "id": "qualite_demandeur",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Vous déposez cette demande en tant que",
                        "required": True,
                        "options": _options(
                            ("proprietaire", "Propriétaire de l’immeuble"),
                            (
                                "mandataire",
                                "Mandataire du propriétaire (architecte, maître d’ouvrage délégué, syndic…)",
                            ),
                        ),
                    },
                    {
                        "id": "civilite",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Civilité",
                        "required": True,
                        "options": CIVILITES,
                    },
                    {"id": "nom", "type": "text", "label": "Nom", "required": True, "max_length": 100},
                    {"id": "prenom", "type": "text", "label": "Prénom", "required": True, "max_length": 100},
                    {"id": "adresse", "type": "address", "label": "Adresse postale", "required": True},
                    {
                        "id": "courriel",
                        "type": "email",
                        "label": "Adresse électronique",
                        "help": "Les messages relatifs à votre demande vous seront envoyés à cette adresse.",
                        "required": True,
                    },
                    {
                        "id": "telephone",
                        "type": "phone",
                        "label": "Téléphone",
                        "help": ("Le service instructeur peut vous appeler pour convenir d’une visite de l’édifice."),
                        "required": True,
                    },
                    {
                        "id": "mandat_section",
                        "type": "section",
                        "label": "Le propriétaire que vous représentez",
                        "condition": _MANDATAIRE,
                    },
                    {
                        "id": "proprietaire_denomination",
                        "type": "text",
                        "label": "Nom et prénom ou dénomination du propriétaire",
                        "help": (
                            "Pour une personne morale (commune, société civile immobilière, association…), "
                            "indiquez sa dénomination."
                        ),
                        "required": True,
                        "max_length": 200,
                        "condition": _MANDATAIRE,
                    },
                    {
                        "id": "proprietaire_siret",
                        "type": "siret",
                        "label": "Numéro SIRET du propriétaire",
                        "help": "Seulement si le propriétaire est une personne morale.",
                        "condition": _MANDATAIRE,
                    },
                    {
                        "id": "proprietaire_adresse",
                        "type": "address",
                        "label": "Adresse du propriétaire",
                        "required": True,
                        "condition": _MANDATAIRE,
                    },
                    {
                        "id": "mandat",
                        "type": "file",
                        "label": "Mandat signé par le propriétaire",
                        "help": (
                            "Document daté et signé par lequel le propriétaire vous autorise à déposer "
                            "cette demande en son nom."
                        ),
                        "required": True,
                        "accept": [PDF],
                        "max_files": 1,
                        "max_size_mb": 10,
                        "condition": _MANDATAIRE,
                    },
                ],
            },
            {
                "id": "immeuble",
                "title": "L’immeuble protégé",
                "fields": [
                    {
                        "id": "monument_appellation",
                        "type": "text",
                        "label": "Nom de l’édifice",
                        "help": (
                            "Tel qu’il figure dans l’arrêté ou le décret de protection, par exemple "
                            "« Hôtel de Sully » ou « Église Saint-Martin »."
                        ),
                        "required": True,
                        "max_length": 200,
                    },
                    {
                        "id": "monument_adresse",
                        "type": "address",
                        "label": "Adresse de l’édifice",
                        "required": True,
                    },
                    {
                        "id": "references_cadastrales",
                        "type": "block",
                        "label": "Références cadastrales",
                        "help": (
                            "Elles figurent sur l’avis de taxe foncière ou sur cadastre.gouv.fr. "
                            "Ajoutez une ligne par parcelle concernée."
                        ),
                        "required": True,
                        "min_rows": 1,
                        "max_rows": 10,
                        "fields": [
                            {
                                "id": "cadastre_section",
                                "type": "text",
                                "label": "Section",
                                "required": True,
                                "max_length": 2,
                                "pattern": r"^[A-Z]{1,2}$",
                                "pattern_message": (
                                    "La section est formée d’une ou deux lettres majuscules, par exemple « AB »."
                                ),
                            },
                            {
                                "id": "cadastre_numero",
                                "type": "integer",
                                "label": "Numéro de parcelle",
                                "required": True,
                                "min": 1,
                                "max": 9999,
                            },
                        ],
                    },
                    {
                        "id": "protection",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Protection au titre des monuments historiques",
                        "help": (
                            "L’arrêté ou le décret de protection a été notifié au propriétaire ; la "
                            "protection est aussi indiquée sur la plateforme ouverte du patrimoine (POP)."
                        ),
                        "required": True,
                        "options": _options(
                            ("classe", "Classé en totalité"),
                            (
                                "classe_partiel",
                                "Classé en partie (et, le cas échéant, inscrit pour le reste)",
                            ),
                            ("inscrit", "Inscrit seulement"),
                        ),
                    },
                    {
                        "id": "protection_parties",
                        "type": "text",
                        "label": "Parties classées concernées par les travaux",
                        "help": (
                            "Reprenez les termes de l’acte de protection, par exemple « les façades et "
                            "toitures du corps de logis »."
                        ),
                        "required": True,
                        "max_length": 300,
                        "condition": _when("protection", "classe_partiel"),
                    },
                    {
                        "id": "date_protection",
                        "type": "date",
                        "label": "Date de l’arrêté ou du décret de classement",
                        "min": "1840-01-01",
                        "past_only": True,
                    },
                ],
            },
            {
                "id": "travaux",
                "title": "Les travaux",
                "fields": [
                    {
                        "id": "nature_travaux",
                        "type": "multiple_choice",
                        "widget": "checkboxes",
                        "label": "Nature des travaux",
                        "help": "Cochez toutes les cases qui correspondent à votre projet.",
                        "required": True,
                        "min_choices": 1,
                        "options": _options(
                            ("restauration", "Restauration"),
                            ("reparation", "Réparation ou consolidation"),
                            ("modification", "Modification ou transformation"),
                            ("accessibilite", "Mise en accessibilité ou mise en sécurité"),
                            ("reseaux", "Création ou remplacement de réseaux (électricité, chauffage, eau)"),
                            ("decors", "Intervention sur des décors (peintures murales, boiseries, vitraux)"),
                        ),
                    },
                    {
                        "id": "description_travaux",
                        "type": "textarea",
                        "label": "Description des travaux",
                        "help": (
                            "Décrivez l’état actuel de l’édifice, les interventions prévues, les matériaux "
                            "et les techniques employés."
                        ),
                        "required": True,
                        "min_length": 30,
                        "max_length": 5000,
                    },
                    {
                        "id": "cout_estime",
                        "type": "decimal",
                        "label": "Coût estimatif des travaux, hors taxes",
                        "help": "Montant des travaux et des honoraires de maîtrise d’œuvre.",
                        "required": True,
                        "min": 0,
                        "unit": "€",
                    },
                    {
                        "id": "date_debut",
                        "type": "date",
                        "label": "Date prévisionnelle de début des travaux",
                        "help": "Les travaux ne peuvent pas commencer avant la délivrance de l’autorisation.",
                        "required": True,
                        "future_only": True,
                    },
                    {
                        "id": "duree_mois",
                        "type": "integer",
                        "label": "Durée prévisionnelle des travaux",
                        "required": True,
                        "min": 1,
                        "max": 120,
                        "unit": "mois",
                    },
                    {
                        "id": "visite_souhaitee",
                        "type": "datetime",
                        "label": "Date et heure proposées pour une visite de l’édifice",
                        "help": (
                            "Facultatif. L’architecte des Bâtiments de France peut visiter l’édifice "
                            "avant de rendre son avis ; le service vous confirmera le rendez-vous."
                        ),
                        "future_only": True,
                    },
                    {"id": "maitrise_oeuvre", "type": "section", "label": "Maîtrise d’œuvre"},
                    {
                        "id": "architecte_nom_prenom",
                        "type": "text",
                        "label": "Nom et prénom de l’architecte ou du maître d’œuvre",
                        "required": True,
                        "max_length": 200,
                    },
                    {
                        "id": "architecte_agence",
                        "type": "text",
                        "label": "Agence ou cabinet",
                        "max_length": 200,
                    },
                    {
                        "id": "architecte_courriel",
                        "type": "email",
                        "label": "Adresse électronique de l’architecte",
                    },
                    {
                        "id": "architecte_patrimoine",
                        "type": "yes_no",
                        "label": (
                            "L’architecte est-il architecte du patrimoine ou architecte en chef des "
                            "monuments historiques ?"
                        ),
                        "help": (
                            "La maîtrise d’œuvre des travaux de restauration d’un immeuble classé est "
                            "confiée à un architecte en chef des monuments historiques ou à un architecte "
                            "titulaire du diplôme de spécialisation et d’approfondissement « architecture "
                            "et patrimoine », ou d’une qualification équivalente."
                        ),
                        "required": True,
                    },
                    {
                        "id": "demande_anterieure",
                        "type": "linked_dossier",
                        "label": "Demande antérieure portant sur le même édifice",
                        "help": (
                            "Si vous avez déjà déposé une demande pour cet édifice sur Guichet, indiquez "
                            "son numéro : cela facilite l’instruction."
                        ),
                    },
                ],
            },
            {
                "id": "pieces",
                "title": "Pièces jointes",
                "fields": [
                    {
                        "id": "pieces_explication",
                        "type": "explanation",
                        "label": "Formats acceptés",
                        "text": (
                            "Joignez des documents lisibles, au format PDF, JPEG ou PNG, de 20 Mo au plus "
                            "chacun. Les plans indiquent leur échelle et l’orientation."
                        ),
                    },
                    {
                        "id": "plans",
                        "type": "file",
                        "label": "Plans de l’état existant et du projet",
                        "help": (
                            "Plan de situation, plan masse, plans, coupes et élévations permettant "
                            "d’apprécier les travaux."
                        ),
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 10,
                        "max_size_mb": 20,
                    },
                    {
                        "id": "photographies",
                        "type": "file",
                        "label": "Photographies de l’édifice",
                        "help": "Vues générales et vues rapprochées des parties concernées par les travaux.",
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 20,
                        "max_size_mb": 20,
                    },
                    {
                        "id": "notice_descriptive",
                        "type": "file",
                        "label": "Notice descriptive des travaux",
                        "help": (
                            "Elle présente l’état sanitaire de l’édifice, le parti de restauration retenu, "
                            "les matériaux et les techniques employés."
                        ),
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 1,
                        "max_size_mb": 20,
                    },
                    {
                        "id": "autres_pieces",
                        "type": "file",
                        "label": "Autres pièces utiles",
                        "help": "Étude préalable, diagnostic, devis, avis déjà obtenus…",
                        "accept": PDF_OR_IMAGE,
                        "max_files": 10,
                        "max_size_mb": 20,
                    },
                ],
            },
            {
                "id": "engagement",
                "title": "Engagement",
                "fields": [
                    {
                        "id": "attestation",
                        "type": "checkbox",
                        "label": (
                            "Je certifie sur l’honneur l’exactitude des renseignements fournis et je "
                            "m’engage à ne pas commencer les travaux avant d’avoir reçu l’autorisation."
                        ),
                        "required": True,
                    },
                ],
            },
        ],
        "eligibility": [
            {
                "condition": _when("protection", "inscrit"),
                "message": (
                    "Cette démarche concerne les immeubles classés. Pour un immeuble seulement inscrit, les "
                    "travaux relèvent d’un permis de construire, d’aménager ou de démolir, ou d’une "
                    "déclaration préalable auprès de la DRAC (article L621-27 du Code du patrimoine)."
                ),
            }
        ],
        "annotations": [
            {
                "id": "visite_sur_place",
                "type": "date",
                "label": "Visite sur place (date)",
            },
            {
                "id": "avis_architecte",
                "type": "choice",
                "widget": "radio",
                "label": "Avis de l’architecte des bâtiments de France",
                "options": _options(
                    ("favorable", "Favorable"),
                    ("reserves", "Favorable avec réserves"),
                    ("defavorable", "Défavorable"),
                ),
            },
            {
                "id": "note_interne",
                "type": "textarea",
                "label": "Note interne",
                "max_length": 2000,
            },
        ],
    },
)


# ---------------------------------------------------------------------------------------------
# (2) Copie intégrale d’acte de naissance

BIRTH_CERTIFICATE = DemoProcedure(
    organisation_slug="mairie-sainte-croix-en-val",
    slug="copie-integrale-acte-de-naissance",
    title="Demande de copie intégrale d’acte de naissance",
    summary=(
        "Recevoir par courrier ou retirer en mairie la copie intégrale d’un acte de naissance dressé à "
        "Sainte-Croix-en-Val."
    ),
    description=(
        "La copie intégrale reproduit l’acte de naissance en entier, avec ses mentions marginales "
        "(mariage, divorce, décès…). Seule la mairie du lieu de naissance peut la délivrer : cette "
        "démarche concerne les personnes nées à Sainte-Croix-en-Val. Elle est gratuite ; méfiez-vous des "
        "sites privés qui la font payer.\n\n"
        "Qui peut la demander ? La personne concernée, si elle est majeure ou émancipée, ses parents, "
        "son époux ou son épouse, ses enfants, son représentant légal, ainsi que certains professionnels "
        "habilités (notaire, avocat, généalogiste mandaté…).\n\n"
        "À préparer : les nom, prénoms, date de naissance de la personne concernée et, si possible, les "
        "noms et prénoms de ses parents. Aucune pièce n’est demandée, sauf aux professionnels, qui "
        "justifient de leur qualité."
    ),
    processing_days=5,
    groups=("État civil",),
    definition={
        "pages": [
            {
                "id": "demandeur",
                "title": "Le demandeur",
                "description": "Seules certaines personnes peuvent obtenir la copie intégrale d’un acte.",
                "fields": [
                    {
                        "id": "qualite_demandeur",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Vous demandez la copie de l’acte de naissance",
                        "required": True,
                        "options": _options(
                            ("interesse", "De vous-même"),
                            ("parent", "De votre enfant"),
                            ("conjoint", "De votre époux ou de votre épouse"),
                            ("enfant", "De votre père ou de votre mère"),
                            ("representant_legal", "D’une personne dont vous êtes le représentant légal"),
                            ("autre", "Dans un autre cadre (notaire, avocat, généalogiste mandaté…)"),
                        ),
                    },
                    {
                        "id": "qualite_precision",
                        "type": "text",
                        "label": "Précisez votre qualité et le motif de la demande",
                        "help": "Par exemple « notaire chargé de la succession de M. Dupont ».",
                        "required": True,
                        "max_length": 300,
                        "condition": _when("qualite_demandeur", "autre"),
                    },
                    {
                        "id": "justificatif_qualite",
                        "type": "file",
                        "label": "Justificatif de votre qualité",
                        "help": (
                            "Mandat, lettre de mission ou tout document établissant votre droit à obtenir l’acte."
                        ),
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 2,
                        "max_size_mb": 10,
                        "condition": _when("qualite_demandeur", "autre"),
                    },
                    {
                        "id": "demandeur_nom",
                        "type": "text",
                        "label": "Votre nom",
                        "required": True,
                        "max_length": 100,
                        "condition": _when("qualite_demandeur", "interesse", op="ne"),
                    },
                    {
                        "id": "demandeur_prenom",
                        "type": "text",
                        "label": "Votre prénom",
                        "required": True,
                        "max_length": 100,
                        "condition": _when("qualite_demandeur", "interesse", op="ne"),
                    },
                    {
                        "id": "demandeur_courriel",
                        "type": "email",
                        "label": "Adresse électronique",
                        "help": (
                            "Vous recevrez un accusé de réception, puis un message lorsque la copie sera "
                            "envoyée ou prête."
                        ),
                        "required": True,
                    },
                    {
                        "id": "demandeur_telephone",
                        "type": "phone",
                        "label": "Téléphone",
                        "help": "Facultatif : pour vous joindre si l’acte est difficile à retrouver.",
                    },
                ],
            },
            {
                "id": "acte",
                "title": "La personne concernée par l’acte",
                "description": "Indiquez les informations telles qu’elles figurent sur l’acte de naissance.",
                "fields": [
                    {
                        "id": "titulaire_nom",
                        "type": "text",
                        "label": "Nom de naissance",
                        "help": "Le nom inscrit sur l’acte, et non le nom d’usage.",
                        "required": True,
                        "max_length": 100,
                    },
                    {
                        "id": "titulaire_prenoms",
                        "type": "text",
                        "label": "Prénoms",
                        "help": "Dans l’ordre de l’état civil, séparés par des virgules.",
                        "required": True,
                        "max_length": 200,
                    },
                    {
                        "id": "titulaire_date_naissance",
                        "type": "date",
                        "label": "Date de naissance",
                        "required": True,
                        "min": "1900-01-01",
                        "past_only": True,
                    },
                    {
                        "id": "titulaire_commune_naissance",
                        "type": "text",
                        "label": "Commune de naissance",
                        "help": ("La mairie ne délivre que les actes des personnes nées à Sainte-Croix-en-Val."),
                        "required": True,
                        "max_length": 100,
                    },
                    {"id": "filiation", "type": "section", "label": "Les parents de la personne concernée"},
                    {
                        "id": "filiation_explication",
                        "type": "explanation",
                        "label": "À savoir",
                        "text": (
                            "Ces informations sont facultatives, mais elles permettent de retrouver l’acte "
                            "plus rapidement. Laissez vides les champs qui ne s’appliquent pas."
                        ),
                    },
                    {"id": "pere_nom", "type": "text", "label": "Nom du père", "max_length": 100},
                    {"id": "pere_prenoms", "type": "text", "label": "Prénoms du père", "max_length": 200},
                    {
                        "id": "mere_nom",
                        "type": "text",
                        "label": "Nom de naissance de la mère",
                        "max_length": 100,
                    },
                    {"id": "mere_prenoms", "type": "text", "label": "Prénoms de la mère", "max_length": 200},
                ],
            },
            {
                "id": "delivrance",
                "title": "La délivrance",
                "fields": [
                    {
                        "id": "nombre_copies",
                        "type": "integer",
                        "label": "Nombre de copies",
                        "help": "Trois copies au plus par demande.",
                        "required": True,
                        "min": 1,
                        "max": 3,
                    },
                    {
                        "id": "motif_demande",
                        "type": "choice",
                        "widget": "select",
                        "label": "Motif de la demande",
                        "help": "Facultatif.",
                        "options": _options(
                            ("identite", "Carte nationale d’identité ou passeport"),
                            ("mariage", "Mariage ou pacte civil de solidarité"),
                            ("succession", "Succession"),
                            ("nationalite", "Certificat de nationalité française"),
                            ("autre", "Autre démarche"),
                        ),
                    },
                    {
                        "id": "mode_delivrance",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Mode de délivrance",
                        "required": True,
                        "options": _options(
                            ("courrier", "Envoi par courrier"),
                            ("guichet", "Retrait à l’accueil de la mairie"),
                        ),
                    },
                    {
                        "id": "adresse_envoi",
                        "type": "address",
                        "label": "Adresse d’envoi",
                        "help": "La copie est envoyée par lettre simple.",
                        "required": True,
                        "condition": _when("mode_delivrance", "courrier"),
                    },
                    {
                        "id": "retrait_explication",
                        "type": "explanation",
                        "label": "Retrait en mairie",
                        "text": (
                            "Vous recevrez un message dès que la copie sera prête. Elle vous sera remise à "
                            "l’accueil de la mairie, du lundi au vendredi de 8 h 30 à 12 h et de 13 h 30 à "
                            "17 h 30, sur présentation d’une pièce d’identité."
                        ),
                        "condition": _when("mode_delivrance", "guichet"),
                    },
                ],
            },
        ],
    },
)


# ---------------------------------------------------------------------------------------------
# (3) Inscription sur les listes électorales

_EUROPEENNES = _when("elections_ue", "europeennes", op="contains")

ELECTORAL_ROLL = DemoProcedure(
    organisation_slug="mairie-sainte-croix-en-val",
    slug="inscription-liste-electorale",
    title="Inscription sur les listes électorales",
    summary=(
        "S’inscrire sur la liste électorale de Sainte-Croix-en-Val pour voter, en tant que Français ou "
        "ressortissant d’un autre pays de l’Union européenne."
    ),
    description=(
        "Il faut être inscrit sur une liste électorale pour voter. Vous pouvez demander votre inscription "
        "toute l’année ; pour voter à un scrutin, la demande doit être déposée au plus tard le sixième "
        "vendredi qui le précède.\n\n"
        "Qui peut s’inscrire ? Les personnes de nationalité française qui auront 18 ans au plus tard la "
        "veille du scrutin, jouissent de leurs droits civils et politiques et ont une attache avec la "
        "commune : domicile, résidence depuis au moins six mois ou paiement des impôts locaux depuis au "
        "moins deux ans. Les ressortissants d’un autre pays de l’Union européenne qui résident dans la "
        "commune peuvent s’inscrire sur les listes complémentaires, pour voter aux élections municipales "
        "et européennes.\n\n"
        "Pièces à préparer : un justificatif d’identité et de nationalité, et un justificatif de domicile "
        "de moins de trois mois ou d’inscription au rôle des impôts locaux."
    ),
    processing_days=5,
    groups=("Élections",),
    definition={
        "pages": [
            {
                "id": "situation",
                "title": "Votre situation",
                "description": "Ces questions vérifient que vous pouvez vous inscrire dans la commune.",
                "fields": [
                    {
                        "id": "nationalite",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Votre nationalité",
                        "help": "Les ressortissants européens votent aux municipales et aux européennes.",
                        "required": True,
                        "options": _options(
                            ("francaise", "Française"),
                            ("union_europeenne", "Ressortissant d’un autre pays de l’Union européenne"),
                        ),
                    },
                    {
                        "id": "majeur_veille_scrutin",
                        "type": "yes_no",
                        "label": "Aurez-vous 18 ans au plus tard la veille du scrutin ?",
                        "help": (
                            "Vous pouvez déposer votre demande avant vos 18 ans si vous les avez au plus "
                            "tard la veille du prochain scrutin."
                        ),
                        "required": True,
                    },
                    {
                        "id": "motif_inscription",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Motif de votre demande",
                        "required": True,
                        "options": _options(
                            ("nouvel_habitant", "Je m’installe dans la commune"),
                            ("majorite", "J’atteins l’âge de 18 ans"),
                            ("nationalite_acquise", "J’ai acquis la nationalité française"),
                            ("recouvrement_droits", "Je recouvre mes droits civils et politiques"),
                            (
                                "contribuable",
                                "Je paie des impôts locaux dans la commune depuis au moins deux ans",
                            ),
                        ),
                    },
                    {
                        "id": "date_emmenagement",
                        "type": "date",
                        "label": "Date d’arrivée dans la commune",
                        "past_only": True,
                        "condition": _when("motif_inscription", "nouvel_habitant"),
                    },
                    {
                        "id": "commune_precedente",
                        "type": "text",
                        "label": "Commune où vous étiez inscrit auparavant",
                        "help": "Vous serez radié automatiquement de la liste électorale de cette commune.",
                        "max_length": 100,
                        "condition": _when("motif_inscription", "nouvel_habitant"),
                    },
                ],
            },
            {
                "id": "ressortissant_europeen",
                "title": "Ressortissant européen",
                "description": (
                    "Les ressortissants d’un autre pays de l’Union européenne sont inscrits sur des listes "
                    "complémentaires."
                ),
                "condition": _when("nationalite", "union_europeenne"),
                "fields": [
                    {
                        "id": "pays_origine",
                        "type": "choice",
                        "widget": "select",
                        "label": "Votre pays de nationalité",
                        "required": True,
                        "options": _options(*((code, name) for code, name, _city in EU_COUNTRIES)),
                    },
                    {
                        "id": "elections_ue",
                        "type": "multiple_choice",
                        "widget": "checkboxes",
                        "label": "Vous demandez votre inscription pour",
                        "required": True,
                        "min_choices": 1,
                        "max_choices": 2,
                        "options": _options(
                            ("municipales", "Les élections municipales"),
                            ("europeennes", "Les élections européennes"),
                        ),
                    },
                    {
                        "id": "collectivite_origine",
                        "type": "text",
                        "label": "Collectivité de votre dernière inscription dans votre pays d’origine",
                        "help": ("Elle sera informée de votre inscription en France, pour éviter un double vote."),
                        "required": True,
                        "max_length": 150,
                        "condition": _EUROPEENNES,
                    },
                    {
                        "id": "europeennes_explication",
                        "type": "explanation",
                        "label": "Élections européennes",
                        "text": (
                            "Inscrit en France pour les élections européennes, vous votez pour des listes "
                            "françaises et ne pouvez plus voter à ces élections dans votre pays d’origine."
                        ),
                        "condition": _EUROPEENNES,
                    },
                    {
                        "id": "attestation_droit_vote",
                        "type": "checkbox",
                        "label": "Je déclare jouir de mon droit de vote dans mon pays d’origine.",
                        "required": True,
                    },
                ],
            },
            {
                "id": "identite",
                "title": "Votre identité",
                "fields": [
                    {
                        "id": "sexe",
                        "type": "choice",
                        "widget": "radio",
                        "label": "Sexe",
                        "required": True,
                        "options": _options(("feminin", "Féminin"), ("masculin", "Masculin")),
                    },
                    {
                        "id": "nom_naissance",
                        "type": "text",
                        "label": "Nom de naissance",
                        "required": True,
                        "max_length": 100,
                    },
                    {
                        "id": "nom_usage",
                        "type": "text",
                        "label": "Nom d’usage",
                        "help": (
                            "Par exemple le nom de votre époux ou de votre épouse, s’il figure sur votre "
                            "pièce d’identité."
                        ),
                        "max_length": 100,
                    },
                    {
                        "id": "prenoms",
                        "type": "text",
                        "label": "Prénoms",
                        "help": "Dans l’ordre de l’état civil, séparés par des virgules.",
                        "required": True,
                        "max_length": 200,
                    },
                    {
                        "id": "date_naissance",
                        "type": "date",
                        "label": "Date de naissance",
                        "required": True,
                        "min": "1900-01-01",
                        "past_only": True,
                    },
                    {
                        "id": "commune_naissance",
                        "type": "text",
                        "label": "Commune de naissance",
                        "help": "Pour une naissance à l’étranger, indiquez la ville et le pays.",
                        "required": True,
                        "max_length": 150,
                    },
                ],
            },
            {
                "id": "coordonnees",
                "title": "Vos coordonnées",
                "fields": [
                    {
                        "id": "adresse_commune",
                        "type": "address",
                        "label": "Votre adresse à Sainte-Croix-en-Val",
                        "help": "L’adresse de votre domicile ou de votre résidence dans la commune.",
                        "required": True,
                    },
                    {
                        "id": "courriel",
                        "type": "email",
                        "label": "Adresse électronique",
                        "help": "La décision du maire vous sera notifiée à cette adresse.",
                        "required": True,
                    },
                    {"id": "telephone", "type": "phone", "label": "Téléphone"},
                ],
            },
            {
                "id": "justificatifs",
                "title": "Justificatifs",
                "fields": [
                    {
                        "id": "piece_identite",
                        "type": "file",
                        "label": "Justificatif d’identité et de nationalité",
                        "help": (
                            "Carte nationale d’identité ou passeport en cours de validité ou périmé depuis "
                            "moins de cinq ans, recto et verso. Pour un ressortissant européen, la pièce "
                            "d’identité délivrée par son pays."
                        ),
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 2,
                        "max_size_mb": 10,
                    },
                    {
                        "id": "justificatif_domicile",
                        "type": "file",
                        "label": "Justificatif d’attache avec la commune",
                        "help": (
                            "Justificatif de domicile de moins de trois mois (facture d’électricité, de gaz, "
                            "d’eau ou de téléphone fixe, quittance de loyer…) ou, si vous êtes contribuable, "
                            "avis d’imposition aux impôts locaux des deux dernières années."
                        ),
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 3,
                        "max_size_mb": 10,
                    },
                    {
                        "id": "attestation",
                        "type": "checkbox",
                        "label": "Je certifie sur l’honneur l’exactitude des renseignements fournis.",
                        "required": True,
                    },
                ],
            },
        ],
        "eligibility": [
            {
                "condition": _when("majeur_veille_scrutin", False),
                "message": (
                    "Il faut avoir 18 ans au plus tard la veille du scrutin pour s’inscrire. Si vous avez "
                    "fait votre recensement citoyen, vous serez inscrit d’office l’année de vos 18 ans."
                ),
            }
        ],
    },
)


# ---------------------------------------------------------------------------------------------
# (4) Subvention de fonctionnement pour une association

_ALREADY_FUNDED = _when("subventions_anterieures", True)

ASSOCIATION_GRANT = DemoProcedure(
    organisation_slug="mairie-sainte-croix-en-val",
    slug="subvention-fonctionnement-association",
    title="Demande de subvention de fonctionnement pour une association",
    summary=(
        "Demander à la commune une subvention pour financer l’activité courante d’une association de "
        "Sainte-Croix-en-Val au cours de l’année à venir."
    ),
    description=(
        "La commune soutient les associations qui font vivre Sainte-Croix-en-Val : sport, culture, "
        "solidarité, environnement, éducation… La subvention de fonctionnement finance l’activité générale "
        "de l’association ; elle est votée par le conseil municipal. Le formulaire reprend les rubriques "
        "du cerfa n° 12156.\n\n"
        "Qui peut la demander ? Les associations déclarées depuis plus d’un an, dont le siège ou les "
        "activités se trouvent dans la commune, et qui disposent d’un numéro SIRET.\n\n"
        "Pièces à préparer : les statuts en vigueur, le dernier compte de résultat approuvé, le budget "
        "prévisionnel de l’année et un relevé d’identité bancaire au nom de l’association.\n\n"
        "Les demandes reçues avant le 15 décembre sont examinées lors du vote du budget de l’année suivante."
    ),
    processing_days=90,
    groups=("Vie associative",),
    definition={
        "pages": [
            {
                "id": "association",
                "title": "L’association",
                "fields": [
                    {
                        "id": "declaree_plus_un_an",
                        "type": "yes_no",
                        "label": "L’association est-elle déclarée depuis plus d’un an ?",
                        "required": True,
                    },
                    {
                        "id": "nom_association",
                        "type": "text",
                        "label": "Nom de l’association",
                        "help": "Tel qu’il figure dans les statuts.",
                        "required": True,
                        "max_length": 250,
                    },
                    {"id": "sigle", "type": "text", "label": "Sigle", "max_length": 30},
                    {
                        "id": "rna",
                        "type": "text",
                        "label": "Numéro RNA",
                        "help": (
                            "Numéro d’inscription au répertoire national des associations, indiqué sur le "
                            "récépissé de déclaration délivré par la préfecture."
                        ),
                        "required": True,
                        "pattern": r"^W\d{9}$",
                        "pattern_message": (
                            "Le numéro RNA est formé de la lettre W suivie de neuf chiffres, par exemple W452001234."
                        ),
                    },
                    {
                        "id": "siret",
                        "type": "siret",
                        "label": "Numéro SIRET",
                        "help": (
                            "Indispensable pour recevoir une subvention publique. L’Insee l’attribue "
                            "gratuitement sur demande."
                        ),
                        "required": True,
                    },
                    {
                        "id": "date_declaration",
                        "type": "date",
                        "label": "Date de déclaration en préfecture",
                        "required": True,
                        "past_only": True,
                    },
                    {
                        "id": "adresse_siege",
                        "type": "address",
                        "label": "Adresse du siège social",
                        "required": True,
                    },
                    {
                        "id": "courriel",
                        "type": "email",
                        "label": "Adresse électronique de l’association",
                        "required": True,
                    },
                    {
                        "id": "telephone",
                        "type": "phone",
                        "label": "Téléphone de l’association",
                        "required": True,
                    },
                    {"id": "president_section", "type": "section", "label": "Le président ou la présidente"},
                    {
                        "id": "president_nom",
                        "type": "text",
                        "label": "Nom",
                        "required": True,
                        "max_length": 100,
                    },
                    {
                        "id": "president_prenom",
                        "type": "text",
                        "label": "Prénom",
                        "required": True,
                        "max_length": 100,
                    },
                    {"id": "president_courriel", "type": "email", "label": "Adresse électronique"},
                    {"id": "president_telephone", "type": "phone", "label": "Téléphone"},
                ],
            },
            {
                "id": "activites",
                "title": "Les activités",
                "fields": [
                    {
                        "id": "domaine",
                        "type": "choice",
                        "widget": "select",
                        "allow_other": True,
                        "label": "Domaine d’activité principal",
                        "help": "Si aucun domaine ne convient, choisissez « Autre » et précisez-le.",
                        "required": True,
                        "options": _options(
                            ("sport", "Sport"),
                            ("culture", "Culture et arts"),
                            ("solidarite", "Solidarité et action sociale"),
                            ("education", "Éducation et jeunesse"),
                            ("environnement", "Environnement et cadre de vie"),
                            ("sante", "Santé"),
                            ("loisirs", "Loisirs et animation locale"),
                            ("patrimoine", "Patrimoine et mémoire"),
                        ),
                    },
                    {
                        "id": "description_activites",
                        "type": "textarea",
                        "label": "Présentation des activités",
                        "help": (
                            "Décrivez les activités habituelles de l’association, le public accueilli et "
                            "les projets de l’année à venir."
                        ),
                        "required": True,
                        "max_length": 3000,
                    },
                    {
                        "id": "publics",
                        "type": "multiple_choice",
                        "widget": "checkboxes",
                        "label": "Publics bénéficiaires",
                        "help": "Trois réponses au plus.",
                        "max_choices": 3,
                        "options": _options(
                            ("enfants", "Enfants"),
                            ("jeunes", "Jeunes de 12 à 25 ans"),
                            ("adultes", "Adultes"),
                            ("seniors", "Personnes âgées"),
                            ("handicap", "Personnes en situation de handicap"),
                            ("familles", "Familles"),
                        ),
                    },
                    {
                        "id": "nombre_adherents",
                        "type": "integer",
                        "label": "Nombre d’adhérents",
                        "help": "Au 31 décembre de l’année écoulée.",
                        "required": True,
                        "min": 0,
                        "max": 100000,
                    },
                    {
                        "id": "nombre_benevoles",
                        "type": "integer",
                        "label": "Nombre de bénévoles",
                        "required": True,
                        "min": 0,
                        "max": 100000,
                    },
                    {
                        "id": "nombre_salaries",
                        "type": "integer",
                        "label": "Nombre de salariés",
                        "min": 0,
                        "max": 10000,
                    },
                ],
            },
            {
                "id": "budget",
                "title": "Le budget",
                "fields": [
                    {
                        "id": "budget_explication",
                        "type": "explanation",
                        "label": "Montants",
                        "text": (
                            "Indiquez les montants en euros. Ils doivent correspondre au budget prévisionnel "
                            "joint à la demande."
                        ),
                    },
                    {
                        "id": "budget_total",
                        "type": "decimal",
                        "label": "Budget annuel prévisionnel de l’association",
                        "required": True,
                        "min": 0,
                        "unit": "€",
                    },
                    {
                        "id": "montant_demande",
                        "type": "decimal",
                        "label": "Montant de la subvention demandée",
                        "required": True,
                        "min": 1,
                        "unit": "€",
                    },
                    {
                        "id": "part_subvention",
                        "type": "computed",
                        "label": "Part de la subvention dans le budget",
                        "help": "Calculée automatiquement à partir des deux montants ci-dessus.",
                        "formula": "montant_demande / budget_total * 100",
                        "unit": "%",
                    },
                    {
                        "id": "subventions_anterieures",
                        "type": "yes_no",
                        "label": (
                            "L’association a-t-elle reçu une subvention de la commune au cours des trois "
                            "dernières années ?"
                        ),
                        "required": True,
                    },
                    {
                        "id": "subventions_recues",
                        "type": "block",
                        "label": "Subventions reçues",
                        "help": "Une ligne par année.",
                        "required": True,
                        "min_rows": 1,
                        "max_rows": 3,
                        "condition": _ALREADY_FUNDED,
                        "fields": [
                            {
                                "id": "subvention_annee",
                                "type": "integer",
                                "label": "Année",
                                "required": True,
                                "min": 2000,
                                "max": 2100,
                            },
                            {
                                "id": "subvention_montant",
                                "type": "decimal",
                                "label": "Montant reçu",
                                "required": True,
                                "min": 0,
                                "unit": "€",
                            },
                        ],
                    },
                    {
                        "id": "demande_precedente",
                        "type": "linked_dossier",
                        "label": "Dossier de la demande précédente",
                        "help": "Si la demande précédente a été déposée sur Guichet, indiquez son numéro.",
                        "condition": _ALREADY_FUNDED,
                    },
                    {
                        "id": "autres_financements",
                        "type": "textarea",
                        "label": "Autres financements publics sollicités",
                        "help": "Département, région, État, Europe… Précisez le financeur et le montant.",
                        "max_length": 1000,
                    },
                ],
            },
            {
                "id": "banque",
                "title": "Coordonnées bancaires",
                "fields": [
                    {
                        "id": "iban",
                        "type": "iban",
                        "label": "IBAN",
                        "help": "Le compte doit être ouvert au nom de l’association.",
                        "required": True,
                    },
                    {
                        "id": "titulaire_compte",
                        "type": "text",
                        "label": "Titulaire du compte",
                        "required": True,
                        "max_length": 250,
                    },
                ],
            },
            {
                "id": "pieces",
                "title": "Pièces jointes",
                "fields": [
                    {
                        "id": "statuts",
                        "type": "file",
                        "label": "Statuts en vigueur, datés et signés",
                        "required": True,
                        "accept": [PDF],
                        "max_files": 1,
                        "max_size_mb": 10,
                    },
                    {
                        "id": "compte_resultat",
                        "type": "file",
                        "label": "Dernier compte de résultat approuvé",
                        "required": True,
                        "accept": [PDF],
                        "max_files": 1,
                        "max_size_mb": 10,
                    },
                    {
                        "id": "budget_previsionnel",
                        "type": "file",
                        "label": "Budget prévisionnel de l’année",
                        "required": True,
                        "accept": [PDF],
                        "max_files": 1,
                        "max_size_mb": 10,
                    },
                    {
                        "id": "rib",
                        "type": "file",
                        "label": "Relevé d’identité bancaire",
                        "required": True,
                        "accept": PDF_OR_IMAGE,
                        "max_files": 1,
                        "max_size_mb": 5,
                    },
                    {
                        "id": "rapport_activite",
                        "type": "file",
                        "label": "Dernier rapport d’activité",
                        "accept": [PDF],
                        "max_files": 1,
                        "max_size_mb": 10,
                    },
                ],
            },
            {
                "id": "engagements",
                "title": "Attestation",
                "fields": [
                    {
                        "id": "attestation_explication",
                        "type": "explanation",
                        "label": "Qui atteste ?",
                        "text": (
                            "L’attestation est faite par le représentant légal de l’association ou par une "
                            "personne qu’il a habilitée."
                        ),
                    },
                    {
                        "id": "attestation",
                        "type": "checkbox",
                        "label": (
                            "Je certifie que l’association est régulièrement déclarée, qu’elle est à jour "
                            "de ses obligations sociales et fiscales et que les informations fournies sont "
                            "exactes."
                        ),
                        "required": True,
                    },
                    {
                        "id": "contrat_engagement",
                        "type": "checkbox",
                        "label": (
                            "Je certifie que l’association souscrit le contrat d’engagement républicain "
                            "prévu par la loi n° 2021-1109 du 24 août 2021."
                        ),
                        "required": True,
                    },
                ],
            },
        ],
        "eligibility": [
            {
                "condition": _when("declaree_plus_un_an", False),
                "message": "Cette démarche est réservée aux associations déclarées depuis plus d’un an.",
            }
        ],
    },
)

PROCEDURES: tuple[DemoProcedure, ...] = (MONUMENT_WORKS, BIRTH_CERTIFICATE, ELECTORAL_ROLL, ASSOCIATION_GRANT)
