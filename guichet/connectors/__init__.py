"""Connectors towards other systems: one folder per system, a base class (`base.py`) and a registry
(`registry.py`) that picks, per capability, the implementation the settings name. Domain apps ask
the registry (`connector_for("seal")`), never a vendor module. This app sits just above `core`:
it imports nothing else of Guichet."""
