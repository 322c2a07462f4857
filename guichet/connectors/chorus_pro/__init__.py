"""Chorus Pro through PISTE: the deposit of Factur-X invoices and the follow-up of their status."""
