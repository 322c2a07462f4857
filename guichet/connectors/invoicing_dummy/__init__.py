"""A stand-in invoicing platform inside the process, for the demo and development."""
