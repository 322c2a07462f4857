"""API Entreprise (https://entreprise.api.gouv.fr): companies' data held by the state."""
