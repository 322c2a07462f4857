"""The form engine: a procedure's form shown page by page, from raw answers kept anywhere.

- `posting`: a page's POST merged into the raw answers; the row and file buttons.
- `pages`: the visible pages, and a page's view-model (fields, inputs, values, errors).
- `summary`: the "Récapitulatif" in plain French.
- `flow`: the page and summary flow that the builder's preview and the applicant's dossier share.
- `rendering`: the fields of a page and the summary, rendered by Jinja2 from `jinja2/formengine/`
  (`fields.html`, one template per field type in `widgets/`, `summary.html`); the page around them
  is a Django template in `templates/formengine/`."""
