"""Sending an act's PDF to someone allowed to see its dossier (the caller checks that)."""

from django.http import FileResponse, Http404

from guichet.documents.models import Act


def act_file_response(act: Act) -> FileResponse:
    """An issued act as a download, under a name that says what it is; 404 while it is not issued."""
    if not act.is_issued or not act.pdf:
        raise Http404("Cet acte n’est pas encore disponible.")
    response = FileResponse(act.pdf.open("rb"), as_attachment=True, filename=act.file_name)
    response["Content-Type"] = "application/pdf"
    return response
