"""The follow-up chain: what follows each transition of the workflow (chain.py), step by step
(steps.py)."""
