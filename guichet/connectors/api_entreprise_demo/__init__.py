"""The demonstration API Entreprise: recorded answers, in the process (never in production)."""
