"""The texts an act has when the procedure's administrators wrote none: the legal mentions that
the Code des relations entre le public et l’administration asks of a receipt (art. L112-11 and
R112-5: date of receipt, the service in charge, the deadline and what silence means at its end,
the means of appeal against an implicit refusal), and plain decisions."""

from .models import ActKind

DEFAULT_TITLES = {
    ActKind.RECEIPT: "Accusé de réception",
    ActKind.ACCEPTANCE: "Décision d’acceptation",
    ActKind.REFUSAL: "Décision de refus",
    ActKind.QUITTANCE: "Quittance de paiement",
}

RECEIPT = """\
Madame, Monsieur {{ usager.nom_complet }},

Votre demande « {{ demarche.titre }} » a été reçue le **{{ dossier.date_depot }}**. Elle est enregistrée \
sous le numéro **{{ dossier.numero }}**, à rappeler dans tout échange.

Le service chargé de votre dossier est : {{ administration.nom }}{% if administration.adresse %}, \
{{ administration.adresse }}{% endif %}.{% if groupe.nom %} Il est instruit par : {{ groupe.nom }}.{% endif %}

{% if delai.jours %}Le délai d’instruction de votre demande est de {{ delai.jours }} jours.\
{% if delai.accord_implicite %} Si aucune décision ne vous a été notifiée le **{{ delai.date_limite }}**, \
votre demande sera réputée **acceptée** (décision implicite d’acceptation). Vous pourrez alors demander \
une attestation de cette décision (article L232-3 du code des relations entre le public et l’administration).\
{% elif delai.rejet_implicite %} Si aucune décision ne vous a été notifiée le **{{ delai.date_limite }}**, \
votre demande sera réputée **rejetée** (décision implicite de rejet). Vous pourrez former contre cette décision \
un recours gracieux auprès de l’administration ou un recours contentieux devant le tribunal administratif \
dans un délai de deux mois à compter de cette date.\
{% else %} Le silence gardé par l’administration au terme de ce délai ne vaut pas décision.{% endif %}\
{% else %}Aucun délai d’instruction n’est fixé pour cette démarche : le silence de l’administration ne vaut pas \
décision.{% endif %}

Si votre dossier est incomplet, l’administration vous indiquera les pièces et informations manquantes \
et le délai pour les produire ; le délai d’instruction ne court qu’à compter de leur réception.
"""

ACCEPTANCE = """\
Madame, Monsieur {{ usager.nom_complet }},

{% if decision.implicite %}Votre demande « {{ demarche.titre }} » (dossier n°{{ dossier.numero }}), reçue le \
{{ dossier.date_depot }}, est **acceptée** : l’administration n’ayant pas répondu dans le délai \
d’instruction, le silence gardé vaut décision implicite d’acceptation depuis le {{ decision.date }}. \
Le présent document en est l’attestation.\
{% else %}Après instruction de votre demande « {{ demarche.titre }} » (dossier n°{{ dossier.numero }}), \
reçue le {{ dossier.date_depot }}, j’ai l’honneur de vous informer qu’elle est **acceptée** \
par décision du {{ decision.date }}.{% endif %}
{% if decision.motivation and not decision.implicite %}

{{ decision.motivation }}{% endif %}
"""

REFUSAL = """\
Madame, Monsieur {{ usager.nom_complet }},

{% if decision.implicite %}Votre demande « {{ demarche.titre }} » (dossier n°{{ dossier.numero }}), reçue le \
{{ dossier.date_depot }}, est **rejetée** : l’administration n’ayant pas répondu dans le délai \
d’instruction, le silence gardé vaut décision implicite de rejet depuis le {{ decision.date }}.\
{% else %}Après instruction de votre demande « {{ demarche.titre }} » (dossier n°{{ dossier.numero }}), \
reçue le {{ dossier.date_depot }}, j’ai le regret de vous informer qu’elle est **refusée** \
par décision du {{ decision.date }}, pour le motif suivant :

{{ decision.motivation }}{% endif %}

Vous pouvez contester cette décision par un recours gracieux auprès de l’administration qui l’a prise, \
ou par un recours contentieux devant le tribunal administratif compétent, dans un délai de deux mois \
à compter de sa notification. Le tribunal administratif peut être saisi par l’application « Télérecours \
citoyens » accessible sur le site www.telerecours.fr.
"""

QUITTANCE = """\
Madame, Monsieur {{ usager.nom_complet }},

{{ administration.nom }} atteste avoir reçu le **{{ paiement.date }}** la somme de **{{ paiement.montant }}** \
au titre de « {{ demarche.titre }} »{% if dossier.numero %} (dossier n°{{ dossier.numero }}){% endif %}.

{{ paiement.detail }}

Paiement en ligne par {{ paiement.service }}, référence {{ paiement.reference }}\
{% if paiement.autorisation %}, autorisation n°{{ paiement.autorisation }}{% endif %}.\
{% if paiement.recette %} Recette : {{ paiement.recette }}.{% endif %}

La présente quittance vaut preuve du paiement.
"""

DEFAULT_BODIES = {
    ActKind.RECEIPT: RECEIPT,
    ActKind.ACCEPTANCE: ACCEPTANCE,
    ActKind.REFUSAL: REFUSAL,
    ActKind.QUITTANCE: QUITTANCE,
}
