"""The demonstration API Particulier: recorded answers, in the process (never in production)."""
