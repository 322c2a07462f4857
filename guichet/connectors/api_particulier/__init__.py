"""API Particulier (https://particulier.api.gouv.fr): individuals' data held by the state."""
