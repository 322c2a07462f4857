"""Demo procedures: four realistic démarches with their forms, and fake answers to fill dossiers.

The definitions follow `guichet.procedures.definition`. `fake_answers` draws varied but valid answers
from the `random.Random` it is given, so that a seed always gives the same dossier; dates are
relative to the fixed `REFERENCE_DATE`, never to the clock."""

import random
import re
import unicodedata
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any, NamedTuple

from stdnum import luhn

from guichet.procedures.conditions import condition_holds
from guichet.procedures.definition import (
    DISPLAY_ONLY,
    Condition,
    FieldType,
    FormField,
    definition_validate,
)


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

# Other member states of the European Union: code, name, a city for fake answers.
EU_COUNTRIES = (
    ("de", "Allemagne", "Fribourg-en-Brisgau"),
    ("at", "Autriche", "Graz"),
    ("be", "Belgique", "Liège"),
    ("bg", "Bulgarie", "Plovdiv"),
    ("cy", "Chypre", "Limassol"),
    ("hr", "Croatie", "Split"),
    ("dk", "Danemark", "Aarhus"),
    ("es", "Espagne", "Valence"),
    ("ee", "Estonie", "Tartu"),
    ("fi", "Finlande", "Tampere"),
    ("gr", "Grèce", "Thessalonique"),
    ("hu", "Hongrie", "Debrecen"),
    ("ie", "Irlande", "Cork"),
    ("it", "Italie", "Naples"),
    ("lv", "Lettonie", "Riga"),
    ("lt", "Lituanie", "Kaunas"),
    ("lu", "Luxembourg", "Esch-sur-Alzette"),
    ("mt", "Malte", "La Valette"),
    ("nl", "Pays-Bas", "Utrecht"),
    ("pl", "Pologne", "Cracovie"),
    ("pt", "Portugal", "Porto"),
    ("cz", "Tchéquie", "Brno"),
    ("ro", "Roumanie", "Cluj-Napoca"),
    ("sk", "Slovaquie", "Košice"),
    ("si", "Slovénie", "Maribor"),
    ("se", "Suède", "Göteborg"),
)


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


# ---------------------------------------------------------------------------------------------
# Fake answers: pools of realistic values

REFERENCE_DATE = date(2026, 11, 1)  # "today" for fake answers, so that they never depend on the clock


class Commune(NamedTuple):
    name: str
    postcode: str
    insee_code: str


LOCAL_COMMUNES = (Commune("Sainte-Croix-en-Val", "45000", "45999"),)
PARIS_AREA_COMMUNES = (
    Commune("Paris", "75003", "75103"),
    Commune("Paris", "75004", "75104"),
    Commune("Paris", "75005", "75105"),
    Commune("Paris", "75006", "75106"),
    Commune("Paris", "75007", "75107"),
    Commune("Paris", "75008", "75108"),
    Commune("Boulogne-Billancourt", "92100", "92012"),
    Commune("Meudon", "92190", "92048"),
    Commune("Nanterre", "92000", "92050"),
    Commune("Rueil-Malmaison", "92500", "92063"),
    Commune("Saint-Cloud", "92210", "92064"),
    Commune("Sceaux", "92330", "92071"),
    Commune("Aubervilliers", "93300", "93001"),
    Commune("Montreuil", "93100", "93048"),
    Commune("Saint-Denis", "93200", "93066"),
)
OTHER_COMMUNES = (
    Commune("Orléans", "45000", "45234"),
    Commune("Olivet", "45160", "45232"),
    Commune("Fleury-les-Aubrais", "45400", "45147"),
    Commune("Saint-Jean-de-Braye", "45800", "45284"),
    Commune("Saint-Jean-de-la-Ruelle", "45140", "45285"),
    Commune("Montargis", "45200", "45208"),
    Commune("Gien", "45500", "45155"),
    Commune("Pithiviers", "45300", "45252"),
    Commune("Tours", "37000", "37261"),
    Commune("Blois", "41000", "41018"),
    Commune("Nantes", "44000", "44109"),
    Commune("Rennes", "35000", "35238"),
    Commune("Bordeaux", "33000", "33063"),
    Commune("Lille", "59000", "59350"),
    Commune("Strasbourg", "67000", "67482"),
    Commune("Dijon", "21000", "21231"),
    Commune("Toulouse", "31000", "31555"),
)
ALL_COMMUNES = LOCAL_COMMUNES * 4 + PARIS_AREA_COMMUNES + OTHER_COMMUNES

STREETS = (
    "rue des Lilas",
    "avenue Jean-Jaurès",
    "rue Victor-Hugo",
    "boulevard Gambetta",
    "place de la République",
    "rue du Moulin",
    "impasse des Tilleuls",
    "allée des Acacias",
    "chemin de la Source",
    "rue de la Mairie",
    "rue Pasteur",
    "rue du Général-de-Gaulle",
    "avenue de la Gare",
    "rue des Écoles",
    "rue Jeanne-d’Arc",
    "rue de Bourgogne",
    "rue des Carmes",
    "quai de la Loire",
    "rue Saint-Martin",
    "allée des Vignes",
    "rue des Vergers",
    "route d’Orléans",
    "rue Émile-Zola",
    "rue de la Paix",
)

FEMALE_FIRST_NAMES = (
    "Marie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Sarah", "Julie", "Nathalie", "Isabelle",
    "Sylvie", "Catherine", "Hélène", "Élodie", "Aurélie", "Sophie", "Claire", "Anne", "Louise", "Jeanne",
    "Fatima", "Aïcha", "Mélanie", "Françoise", "Margaux", "Émilie", "Nadia", "Océane",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Jean", "Pierre", "Nicolas", "Thomas", "Julien", "Lucas", "Hugo", "Mathieu", "Antoine", "Sébastien",
    "François", "Philippe", "Laurent", "Olivier", "Éric", "Michel", "Karim", "Mehdi", "Yannick",
    "Baptiste", "Théo", "Gabriel", "Rémi", "Jérôme", "Didier", "Loïc", "Youssef", "Alain",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin",
    "Morin", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Benali", "Nguyen", "Le Goff", "N’Diaye", "Da Silva", "Ferreira", "Haddad", "Kowalski",
)  # fmt: skip

MONUMENTS = (
    "Hôtel de Vaudreuil",
    "Hôtel Lambert de Thorigny",
    "Église Saint-Germain",
    "Chapelle Notre-Dame-des-Anges",
    "Pavillon de l’Ermitage",
    "Château de Bel-Air",
    "Ancien couvent des Récollets",
    "Maison de l’Orangerie",
    "Ancienne halle aux grains",
    "Théâtre municipal",
    "Lavoir de la Fontaine-Saint-Jean",
    "Immeuble dit « Maison des Arcades »",
)
PROTECTED_PARTS = (
    "Les façades et toitures",
    "Les façades et toitures du corps de logis principal",
    "La chapelle et son décor intérieur",
    "Le grand escalier et sa rampe en fer forgé",
    "Les salons du premier étage avec leurs boiseries",
)
OWNER_ENTITIES = (
    "SCI du Marais",
    "SCI Les Tilleuls",
    "Commune de Saint-Denis",
    "Association diocésaine de Paris",
    "Fondation du Pavillon de l’Ermitage",
    "Société des amis du vieux Meudon",
)
ARCHITECT_FIRMS = ("Atelier {} architectes", "Agence {} et associés", "{} Architecture et Patrimoine")
WORKS_SENTENCES = {
    "restauration": (
        "Restauration de la couverture en ardoise et des souches de cheminée, avec remplacement à "
        "l’identique des ardoises et des zingueries dégradées."
    ),
    "reparation": ("Reprise des maçonneries fissurées de la façade sur cour et rejointoiement à la chaux naturelle."),
    "modification": ("Aménagement des combles en bureaux, sans modification de la charpente ancienne ni des lucarnes."),
    "accessibilite": (
        "Création d’un accès de plain-pied par la porte latérale pour les personnes à mobilité réduite, "
        "au moyen d’une rampe amovible."
    ),
    "reseaux": (
        "Remplacement de l’installation électrique ; les câbles passent en goulottes le long des "
        "corniches pour ne pas entailler les enduits anciens."
    ),
    "decors": "Consolidation et nettoyage des peintures murales de la nef par un restaurateur habilité.",
}
WORKS_CONTEXT = (
    "Les travaux font suite au diagnostic sanitaire réalisé l’an dernier.",
    "Le chantier sera conduit par tranches afin de maintenir l’ouverture au public.",
    "Les matériaux employés sont identiques à ceux d’origine.",
    "Un relevé photographique complet sera remis à la fin du chantier.",
)
NOTARY_QUALITIES = (
    "Notaire chargé de la succession",
    "Avocat représentant la personne concernée",
    "Généalogiste mandaté par l’étude notariale",
)
CADASTRAL_SECTIONS = ("A", "B", "C", "AB", "AC", "AK", "BK", "CD", "ZA", "ZC")
OTHER_FUNDING = (
    "Le conseil départemental du Loiret a été sollicité pour 1 500 €.",
    "Aucun autre financement public n’a été demandé.",
    "Demande de 2 000 € auprès de la région Centre-Val de Loire, au titre du fonds de soutien à la vie associative.",
    "Aide de l’Agence nationale du sport de 800 € pour l’école de sport.",
)
MAIL_DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "outlook.fr", "wanadoo.fr")
BANK_CODES = ("30004", "30003", "30002", "20041", "10278", "14505")  # real French bank codes
MOBILE_PREFIXES = ("60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78", "79")
GENERIC_TEXTS = ("Voir la pièce jointe", "Sans objet", "Non communiqué")
GENERIC_PARAGRAPHS = (
    "Les informations détaillées figurent dans les pièces jointes au dossier.",
    "Nous restons à la disposition du service pour tout renseignement complémentaire.",
    "La situation n’a pas changé depuis la précédente demande.",
)


@dataclass(frozen=True)
class Association:
    name: str
    acronym: str
    domain: str
    activities: str


ASSOCIATIONS = (
    Association(
        "Union sportive de Sainte-Croix-en-Val",
        "USSCV",
        "sport",
        "Club omnisports : football, basket-ball et tennis de table, entraînements en semaine et "
        "compétitions départementales le week-end. L’école de sport accueille les enfants dès 6 ans.",
    ),
    Association(
        "Les Amis de l’orgue de Sainte-Croix",
        "AOSC",
        "culture",
        "Saison de six concerts d’orgue dans l’église, visites commentées de l’instrument et accueil des "
        "élèves de l’école de musique.",
    ),
    Association(
        "Solidarité du Val",
        "SDV",
        "solidarite",
        "Distribution alimentaire chaque semaine, aide aux démarches administratives et ateliers de cuisine "
        "pour les familles accompagnées.",
    ),
    Association(
        "Les Jardins partagés du Val",
        "JPV",
        "environnement",
        "Gestion de trois jardins partagés, ateliers de compostage et animations sur la biodiversité pour "
        "les écoles de la commune.",
    ),
    Association(
        "Comité des fêtes de Sainte-Croix-en-Val",
        "CDF",
        "loisirs",
        "Organisation de la fête de la Saint-Jean, du marché de Noël et de la brocante annuelle, avec les "
        "commerçants de la commune.",
    ),
    Association(
        "Mémoire et patrimoine du Val de Loire",
        "MPVL",
        "patrimoine",
        "Recherches sur l’histoire de la commune, publication d’un bulletin annuel et participation aux "
        "Journées européennes du patrimoine.",
    ),
    Association(
        "Coup de pouce scolaire",
        "CPS",
        "education",
        "Aide aux devoirs quatre soirs par semaine pour les élèves de l’école élémentaire et du collège, "
        "encadrée par des bénévoles.",
    ),
    Association(
        "Théâtre des Tilleuls",
        "TDT",
        "culture",
        "Troupe de théâtre amateur : ateliers hebdomadaires pour les enfants et les adultes, deux "
        "spectacles par an à la salle des fêtes.",
    ),
    Association(
        "Entraide santé du Val",
        "ESV",
        "sante",
        "Accompagnement des malades et de leurs proches, permanences d’écoute et ateliers de prévention "
        "avec les professionnels de santé de la commune.",
    ),
)

# Files: usual names and preferred content type, by field id.
FILE_HINTS: dict[str, tuple[tuple[str, ...], str]] = {
    "mandat": (("mandat-proprietaire", "mandat-signe"), PDF),
    "plans": (
        ("plan-de-situation", "plan-masse", "plans-etat-existant", "plans-projet", "coupes-elevations"),
        PDF,
    ),
    "photographies": (
        (
            "photo-facade-principale",
            "photo-facade-arriere",
            "photo-toiture",
            "photo-corniche",
            "photo-interieur",
        ),
        JPEG,
    ),
    "notice_descriptive": (("notice-descriptive",), PDF),
    "autres_pieces": (("etude-prealable", "diagnostic-sanitaire", "devis-entreprise"), PDF),
    "justificatif_qualite": (("lettre-de-mission", "mandat-succession"), PDF),
    "piece_identite": (("carte-identite-recto", "carte-identite-verso", "passeport"), JPEG),
    "justificatif_domicile": (("facture-electricite", "quittance-loyer", "avis-taxe-fonciere"), PDF),
    "statuts": (("statuts",), PDF),
    "compte_resultat": ((f"compte-de-resultat-{REFERENCE_DATE.year - 1}",), PDF),
    "budget_previsionnel": ((f"budget-previsionnel-{REFERENCE_DATE.year + 1}",), PDF),
    "rib": (("rib-association",), PDF),
    "rapport_activite": ((f"rapport-activite-{REFERENCE_DATE.year - 1}",), PDF),
}
FILE_EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
CONTENT_TYPES = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}


def _years_from_reference(years: int) -> date:
    return REFERENCE_DATE.replace(year=REFERENCE_DATE.year + years)


# Usual date spans, by field id (or id ending).
DATE_SPANS: dict[str, tuple[date, date]] = {
    "date_naissance": (_years_from_reference(-90), _years_from_reference(-18)),
    "date_declaration": (_years_from_reference(-40), _years_from_reference(-2)),
    "date_protection": (date(1862, 1, 1), date(2010, 12, 31)),
    "date_debut": (REFERENCE_DATE + timedelta(days=60), _years_from_reference(1)),
    "date_emmenagement": (_years_from_reference(-1), REFERENCE_DATE - timedelta(days=1)),
    "visite_souhaitee": (REFERENCE_DATE + timedelta(days=15), REFERENCE_DATE + timedelta(days=120)),
}
ADDRESS_POOLS: dict[str, tuple[Commune, ...]] = {
    "adresse_commune": LOCAL_COMMUNES,
    "adresse_siege": LOCAL_COMMUNES,
    "monument_adresse": PARIS_AREA_COMMUNES,
    "proprietaire_adresse": PARIS_AREA_COMMUNES + OTHER_COMMUNES,
}


# ---------------------------------------------------------------------------------------------
# Fake answers: hints, values for a field given the answers so far


@dataclass(frozen=True)
class _Context:
    rng: random.Random
    scope: Mapping[str, Any]  # the answers so far, including the current block row
    field: FormField
    row: int | None  # index of the block row being filled


Hint = Callable[[_Context], Any]


def _hint(table: Mapping[str, Any], field_id: str) -> Any:
    """The entry for the id, or for its longest ending after an underscore ("titulaire_nom" → "nom")."""
    parts = field_id.split("_")
    for start in range(len(parts)):
        key = "_".join(parts[start:])
        if key in table:
            return table[key]
    return None


def _gender(scope: Mapping[str, Any]) -> str | None:
    return {"madame": "f", "feminin": "f", "monsieur": "m", "masculin": "m"}.get(
        scope.get("civilite") or scope.get("sexe")
    )


def _first_names(rng: random.Random, gender: str | None, count: int = 1) -> str:
    gender = gender or rng.choice("fm")
    pool = FEMALE_FIRST_NAMES if gender == "f" else MALE_FIRST_NAMES
    return ", ".join(rng.sample(pool, count))


def _full_name(rng: random.Random) -> str:
    return f"{_first_names(rng, None)} {rng.choice(LAST_NAMES)}"


def _association(scope: Mapping[str, Any]) -> Association | None:
    return next((a for a in ASSOCIATIONS if a.name == scope.get("nom_association")), None)


def _eu_country(scope: Mapping[str, Any]) -> tuple[str, str, str] | None:
    return next((country for country in EU_COUNTRIES if country[0] == scope.get("pays_origine")), None)


def _birthplace(c: _Context) -> str:
    country = _eu_country(c.scope)
    if country:
        return f"{country[2]} ({country[1]})"
    return c.rng.choice(ALL_COMMUNES).name


def _works_description(c: _Context) -> str:
    natures = c.scope.get("nature_travaux") or [c.rng.choice(list(WORKS_SENTENCES))]
    sentences = [WORKS_SENTENCES[nature] for nature in natures if nature in WORKS_SENTENCES]
    return " ".join([c.rng.choice(WORKS_CONTEXT), *sentences])


def _owner(c: _Context) -> str:
    return c.rng.choice(OWNER_ENTITIES) if c.rng.random() < 0.4 else _full_name(c.rng)


def _activities(c: _Context) -> str:
    association = _association(c.scope)
    return association.activities if association else c.rng.choice(GENERIC_PARAGRAPHS)


TEXT_HINTS: dict[str, Hint] = {
    "nom": lambda c: c.rng.choice(LAST_NAMES),
    "nom_naissance": lambda c: c.rng.choice(LAST_NAMES),
    "nom_usage": lambda c: c.rng.choice(LAST_NAMES),
    "prenom": lambda c: _first_names(c.rng, _gender(c.scope)),
    "prenoms": lambda c: _first_names(c.rng, _gender(c.scope), c.rng.choice((1, 2, 2, 3))),
    "nom_prenom": lambda c: _full_name(c.rng),
    "pere_nom": lambda c: c.scope.get("titulaire_nom") or c.rng.choice(LAST_NAMES),
    "pere_prenoms": lambda c: _first_names(c.rng, "m", c.rng.choice((1, 2))),
    "mere_prenoms": lambda c: _first_names(c.rng, "f", c.rng.choice((1, 2))),
    "denomination": _owner,
    "titulaire_commune_naissance": lambda c: LOCAL_COMMUNES[0].name,
    "commune_naissance": _birthplace,
    "commune_precedente": lambda c: c.rng.choice(PARIS_AREA_COMMUNES + OTHER_COMMUNES).name,
    "collectivite_origine": lambda c: (_eu_country(c.scope) or c.rng.choice(EU_COUNTRIES))[2],
    "qualite_precision": lambda c: c.rng.choice(NOTARY_QUALITIES),
    "monument_appellation": lambda c: c.rng.choice(MONUMENTS),
    "protection_parties": lambda c: c.rng.choice(PROTECTED_PARTS),
    "architecte_agence": lambda c: c.rng.choice(ARCHITECT_FIRMS).format(c.rng.choice(LAST_NAMES)),
    "cadastre_section": lambda c: c.rng.choice(CADASTRAL_SECTIONS),
    "description_travaux": _works_description,
    "nom_association": lambda c: c.rng.choice(ASSOCIATIONS).name,
    "sigle": lambda c: (_association(c.scope) or c.rng.choice(ASSOCIATIONS)).acronym,
    "rna": lambda c: f"W45{c.rng.randrange(10**7):07d}",
    "titulaire_compte": lambda c: c.scope.get("nom_association") or _full_name(c.rng),
    "description_activites": _activities,
    "autres_financements": lambda c: c.rng.choice(OTHER_FUNDING),
}


def _domain(c: _Context) -> str | None:
    association = _association(c.scope)
    return association.domain if association else None


CHOICE_HINTS: dict[str, Hint] = {"domaine": _domain}


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _round_to(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def _requested_amount(c: _Context) -> Decimal:
    budget = c.scope.get("budget_total")
    if budget is None:
        return _round_to(_cents(c.rng, 500, 15_000), 50)
    return max(_round_to(Decimal(budget) * c.rng.randint(5, 30) / 100, 50), Decimal(50))


NUMBER_HINTS: dict[str, Hint] = {
    "duree_mois": lambda c: c.rng.randint(2, 24),
    "nombre_copies": lambda c: c.rng.choice((1, 1, 1, 2, 3)),
    "nombre_adherents": lambda c: c.rng.randint(12, 450),
    "nombre_benevoles": lambda c: c.rng.randint(2, min(40, c.scope.get("nombre_adherents", 40))),
    "nombre_salaries": lambda c: c.rng.choice((0, 0, 0, 1, 2, 3)),
    "cadastre_numero": lambda c: c.rng.randint(1, 650),
    "subvention_annee": lambda c: REFERENCE_DATE.year - 1 - (c.row or 0),
    "cout_estime": lambda c: _cents(c.rng, 8_000, 900_000),
    "budget_total": lambda c: _cents(c.rng, 4_000, 180_000),
    "montant_demande": _requested_amount,
    "subvention_montant": lambda c: _round_to(_cents(c.rng, 300, 8_000), 50),
}


# ---------------------------------------------------------------------------------------------
# Fake answers: one generator by field type

CENT = Decimal("0.01")
WIDE_SPAN = (_years_from_reference(-100), _years_from_reference(10))


def _fit_length(c: _Context, value: str) -> str:
    while c.field.min_length and len(value) < c.field.min_length:
        value = f"{value} {c.rng.choice(GENERIC_PARAGRAPHS)}"
    return value[: c.field.max_length].rstrip() if c.field.max_length else value


def _text(c: _Context) -> str:
    hint = _hint(TEXT_HINTS, c.field.id)
    pool = GENERIC_PARAGRAPHS if c.field.type == FieldType.TEXTAREA else GENERIC_TEXTS
    return _fit_length(c, hint(c) if hint else c.rng.choice(pool))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _email(c: _Context) -> str:
    prefix = c.field.id.rpartition("_")[0]
    prefix = f"{prefix}_" if prefix else ""
    first = c.scope.get(f"{prefix}prenom") or c.scope.get(f"{prefix}prenoms")
    last = c.scope.get(f"{prefix}nom") or c.scope.get(f"{prefix}nom_naissance")
    full = c.scope.get(f"{prefix}nom_prenom")
    association = _association(c.scope)
    if first and last:
        local = f"{_slug(first.split(',')[0])}.{_slug(last)}"
    elif full:
        local = _slug(full).replace("-", ".", 1)
    elif association:
        local = f"contact.{_slug(association.acronym)}"
    else:
        local = _slug(_full_name(c.rng)).replace("-", ".", 1)
    if c.rng.random() < 0.25:
        local += str(c.rng.randint(1, 99))
    return f"{local}@{c.rng.choice(MAIL_DOMAINS)}"


def _phone(c: _Context) -> str:
    digits = "".join(str(c.rng.randrange(10)) for _ in range(7))
    if c.rng.random() < 0.6:
        return f"+33{c.rng.choice(MOBILE_PREFIXES)}{digits}"
    return f"+33238{digits[:6]}"


def _siret(c: _Context) -> str:
    siren = f"{c.rng.randint(1, 9)}{c.rng.randrange(10**7):07d}"
    siren += luhn.calc_check_digit(siren)
    establishment = f"{siren}{c.rng.randint(1, 120):04d}"
    return establishment + luhn.calc_check_digit(establishment)


def _iban(c: _Context) -> str:
    bank, branch = c.rng.choice(BANK_CODES), f"{c.rng.randrange(10**5):05d}"
    account = f"{c.rng.randrange(10**11):011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    check = 98 - int(f"{bban}152700") % 97  # "FR00" moved to the end, letters as numbers
    return f"FR{check:02d}{bban}"


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _number(c: _Context, default_span: int) -> Decimal:
    """A number within the field's bounds, from its hint or at random."""
    low, high = _as_decimal(c.field.min), _as_decimal(c.field.max)
    hint = _hint(NUMBER_HINTS, c.field.id)
    if hint:
        value = Decimal(hint(c))
    else:
        start = low if low is not None else Decimal(0)
        end = high if high is not None else start + default_span
        value = start + (end - start) * Decimal(c.rng.random())
    if low is not None:
        value = max(value, low)
    return min(value, high) if high is not None else value


def _integer(c: _Context) -> int:
    value = _number(c, default_span=100)
    low = _as_decimal(c.field.min)
    rounded = int(value.to_integral_value(rounding=ROUND_FLOOR))
    return rounded + 1 if low is not None and rounded < low else rounded


def _decimal(c: _Context) -> str:
    value = _number(c, default_span=10_000)
    rounded = value.quantize(CENT, rounding=ROUND_FLOOR)
    low = _as_decimal(c.field.min)
    if low is not None and rounded < low:
        rounded += CENT
    return f"{rounded:.2f}"


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _date_value(c: _Context) -> date:
    field = c.field
    low, high = _as_date(field.min) or date.min, _as_date(field.max) or date.max
    if field.past_only:
        high = min(high, REFERENCE_DATE - timedelta(days=1))
    if field.future_only:
        low = max(low, REFERENCE_DATE + timedelta(days=1))
    if field.past_only:
        usual = (_years_from_reference(-30), REFERENCE_DATE - timedelta(days=1))
    elif field.future_only:
        usual = (REFERENCE_DATE + timedelta(days=1), _years_from_reference(1))
    else:
        usual = (_years_from_reference(-1), _years_from_reference(1))
    usual = _hint(DATE_SPANS, field.id) or usual
    # The usual span for such a field if the bounds allow it, else anywhere within the bounds.
    for start, end in (usual, WIDE_SPAN):
        start, end = max(start, low), min(end, high)
        if start <= end:
            return start + timedelta(days=c.rng.randint(0, (end - start).days))
    return low if low != date.min else high


def _date(c: _Context) -> str:
    return _date_value(c).isoformat()


def _datetime(c: _Context) -> str:
    day = _date_value(c)
    return f"{day.isoformat()}T{c.rng.randint(9, 17):02d}:{c.rng.choice((0, 15, 30, 45)):02d}"


def _yes_no(c: _Context) -> bool:
    return c.rng.random() < 0.5


def _checkbox(c: _Context) -> bool:
    return c.field.required or c.rng.random() < 0.5


def _choice(c: _Context) -> str:
    values = [option.value for option in c.field.options]
    hint = _hint(CHOICE_HINTS, c.field.id)
    suggested = hint(c) if hint else None
    if suggested in values:
        return suggested
    # The first option is usually the common case.
    return values[0] if c.rng.random() < 0.5 else c.rng.choice(values)


def _multiple_choice(c: _Context) -> list[str]:
    values = [option.value for option in c.field.options]
    low = min(max(c.field.min_choices or 0, 1), len(values))
    high = max(low, min(c.field.max_choices or len(values), len(values), low + 2))
    picked = set(c.rng.sample(values, c.rng.randint(low, high)))
    return [value for value in values if value in picked]


def _address(c: _Context) -> dict[str, str]:
    commune = c.rng.choice(_hint(ADDRESS_POOLS, c.field.id) or ALL_COMMUNES)
    number = f"{c.rng.randint(1, 140)}{' bis' if c.rng.random() < 0.1 else ''}"
    return {
        "street": f"{number} {c.rng.choice(STREETS)}",
        "postcode": commune.postcode,
        "city": commune.name,
        "insee_code": commune.insee_code,
    }


def _accepted_types(accept: list[str]) -> list[str]:
    types = [CONTENT_TYPES.get(entry.lower().lstrip("."), entry.lower()) for entry in accept]
    return [t for t in types if t in FILE_EXTENSIONS] or [PDF]


def _files(c: _Context) -> list[dict[str, Any]]:
    field = c.field
    accepted = _accepted_types(field.accept)
    names, preferred = _hint(FILE_HINTS, field.id) or ((field.id.replace("_", "-"),), PDF)
    count = c.rng.randint(1, min(field.max_files or 1, 3))
    chosen = c.rng.sample(names, min(count, len(names)))
    chosen += [f"{names[0]}-{index}" for index in range(len(chosen) + 1, count + 1)]
    max_bytes = (field.max_size_mb or 10) * 1024 * 1024
    files = []
    for name in chosen:
        content_type = preferred if preferred in accepted else c.rng.choice(accepted)
        size = c.rng.randint(min(30_000, max_bytes), min(max_bytes, 6_000_000))
        files.append({"name": f"{name}.{FILE_EXTENSIONS[content_type]}", "content_type": content_type, "size": size})
    return files


GENERATORS: dict[FieldType, Callable[[_Context], Any]] = {
    FieldType.TEXT: _text,
    FieldType.TEXTAREA: _text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.YES_NO: _yes_no,
    FieldType.CHECKBOX: _checkbox,
    FieldType.CHOICE: _choice,
    FieldType.MULTIPLE_CHOICE: _multiple_choice,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.ADDRESS: _address,
    FieldType.SIRET: _siret,
    FieldType.IBAN: _iban,
    FieldType.FILE: _files,
}

# Types that never get an answer from the person filling the form.
NO_ANSWER = DISPLAY_ONLY | {FieldType.COMPUTED, FieldType.LINKED_DOSSIER}
OPTIONAL_ANSWER_RATE = 0.8


class _AnswerFaker:
    def __init__(self, rng: random.Random, eligibility: list[Condition]):
        self.rng = rng
        self.eligibility = eligibility
        self.decisive = {field_id for condition in eligibility for field_id in condition.field_ids()}
        self.row: int | None = None

    def fill(self, fields: list[FormField], scope: MutableMapping[str, Any]) -> None:
        for field in fields:
            if field.type in NO_ANSWER or not condition_holds(field.condition, scope):
                continue
            decisive = field.id in self.decisive
            if not (field.required or decisive) and self.rng.random() >= OPTIONAL_ANSWER_RATE:
                continue
            value = self.answer(field, scope)
            scope[field.id] = self.eligible(field, scope, value) if decisive else value

    def answer(self, field: FormField, scope: Mapping[str, Any]) -> Any:
        if field.type == FieldType.BLOCK:
            return self.rows(field, scope)
        return GENERATORS[field.type](_Context(self.rng, scope, field, self.row))

    def rows(self, block: FormField, scope: Mapping[str, Any]) -> list[dict[str, Any]]:
        low = max(block.min_rows or 0, 1)
        high = max(low, min(block.max_rows or low + 2, low + 2))
        outer_row, rows = self.row, []
        for index in range(self.rng.randint(low, high)):
            row: dict[str, Any] = {}
            self.row = index
            self.fill(block.fields, ChainMap(row, scope))
            rows.append(row)
        self.row = outer_row
        return rows

    def eligible(self, field: FormField, scope: Mapping[str, Any], value: Any) -> Any:
        """The value if it passes the eligibility rules, else another one that does."""
        if field.type in {FieldType.YES_NO, FieldType.CHECKBOX}:
            alternatives = [True, False]
        elif field.type == FieldType.CHOICE:
            alternatives = [option.value for option in field.options]
        else:
            alternatives = []
        for candidate in [value, *alternatives]:
            trial = ChainMap({field.id: candidate}, scope)
            if not any(condition_holds(condition, trial) for condition in self.eligibility):
                return candidate
        return value


def fake_answers(definition: dict, rng: random.Random) -> dict[str, Any]:
    """Realistic answers to a form definition, drawn from rng only: the same seed gives the same answers.

    Every answerable field whose condition (and page condition) holds gets an answer, optional ones
    most of the time; the fields that eligibility rules look at get an eligible answer. Display-only,
    computed and linked-dossier fields get no key."""
    form = definition_validate(definition)
    faker = _AnswerFaker(rng, [rule.condition for rule in form.eligibility])
    answers: dict[str, Any] = {}
    for page in form.pages:
        if condition_holds(page.condition, answers):
            faker.fill(page.fields, answers)
    return answers
