"""The identity purposes a form field may carry (HTML's `autocomplete` names: WCAG 1.3.5, RGAA 11.13),
and their names in the builder. Which field types may carry which: definition.IDENTITY_PURPOSES."""

from enum import StrEnum


class IdentityPurpose(StrEnum):
    """What a field asks about the person filling the form, as HTML's `autocomplete` names it: the
    browser can fill it, and assistive technologies can show it (WCAG 1.3.5, RGAA 11.13). Chosen by
    the administrator in the builder; the email, phone and address fields have theirs already."""

    NAME = "name"
    HONORIFIC_PREFIX = "honorific-prefix"
    GIVEN_NAME = "given-name"
    ADDITIONAL_NAME = "additional-name"
    FAMILY_NAME = "family-name"
    NICKNAME = "nickname"
    ORGANIZATION = "organization"
    ORGANIZATION_TITLE = "organization-title"
    STREET_ADDRESS = "street-address"
    ADDRESS_LINE1 = "address-line1"
    ADDRESS_LINE2 = "address-line2"
    POSTAL_CODE = "postal-code"
    ADDRESS_LEVEL2 = "address-level2"
    COUNTRY_NAME = "country-name"
    EMAIL = "email"
    TEL = "tel"
    BDAY = "bday"


IDENTITY_PURPOSE_LABELS = {
    IdentityPurpose.NAME: "Nom complet (prénom et nom)",
    IdentityPurpose.HONORIFIC_PREFIX: "Civilité (Madame, Monsieur…)",
    IdentityPurpose.GIVEN_NAME: "Prénom",
    IdentityPurpose.ADDITIONAL_NAME: "Autres prénoms",
    IdentityPurpose.FAMILY_NAME: "Nom de famille",
    IdentityPurpose.NICKNAME: "Nom d’usage ou pseudonyme",
    IdentityPurpose.ORGANIZATION: "Organisme ou entreprise",
    IdentityPurpose.ORGANIZATION_TITLE: "Fonction",
    IdentityPurpose.STREET_ADDRESS: "Adresse complète",
    IdentityPurpose.ADDRESS_LINE1: "Adresse (numéro et voie)",
    IdentityPurpose.ADDRESS_LINE2: "Complément d’adresse",
    IdentityPurpose.POSTAL_CODE: "Code postal",
    IdentityPurpose.ADDRESS_LEVEL2: "Commune",
    IdentityPurpose.COUNTRY_NAME: "Pays",
    IdentityPurpose.EMAIL: "Adresse électronique",
    IdentityPurpose.TEL: "Numéro de téléphone",
    IdentityPurpose.BDAY: "Date de naissance",
}
