"""The panorama of major digital projects (docs/decisions/0036-panorama-editions.md):

- figures.py: each project's drifts and an edition's headline figures, pure functions;
- selectors.py: the published editions and their projects, who may edit what;
- services.py: every write (projects, editions, publication), audited;
- columns.py: the published columns, shared by the open data and the CSV import;
- csv_import.py: the steering team's import of a CSV in the published columns."""
