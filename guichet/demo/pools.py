"""Pools of realistic values for the demo's fake answers (guichet/demo/answers.py): communes,
streets, people's names, monuments, associations... Plain data, drawn from by the answers' hints."""

from dataclasses import dataclass

from guichet.procedures.examples import Commune

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
