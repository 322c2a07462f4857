"""The public verification of acts: anyone holding an act (or a copy of one) checks that the
platform issued it, by its code or by its file. Nothing personal is shown: the administration,
the kind of act, the date and the fingerprint only."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guichet.archives.models import Tombstone
from guichet.documents.selectors import act_issued_by_code, code_normalise
from guichet.documents.verification import pdf_verify

MAX_PDF_MB = 20


class VerifyForm(forms.Form):
    fichier = forms.FileField(
        label="Le document à vérifier (PDF)",
        help_text=f"Le fichier reçu, tel quel. Taille maximale : {MAX_PDF_MB} Mo. Il n’est pas conservé.",
        error_messages={"required": "Choisissez le fichier PDF à vérifier."},
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_PDF_MB * 1024 * 1024:
            raise forms.ValidationError(f"Ce fichier dépasse {MAX_PDF_MB} Mo : ce n’est pas un acte de la plateforme.")
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError("Ce fichier n’est pas un PDF.")
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        help_text="Les 12 caractères imprimés au pied de l’acte, par exemple 7KQ2-9XBM-4TDA.",
        max_length=40,
        error_messages={"required": "Saisissez le code imprimé sur l’acte."},
    )

    def clean_code(self):
        # What the person typed is kept to be shown back: the normalised code (O read as 0, I and L
        # as 1...) is only for finding the act, never to be presented as their input.
        self.typed = " ".join(self.cleaned_data["code"].split())
        code = code_normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("Ce code n’a pas la forme d’un code de vérification (12 lettres et chiffres).")
        return code


@require_http_methods(["GET", "POST"])
def verify_home(request: HttpRequest) -> HttpResponse:
    """Check an act by its code (then its page) or by its file."""
    code_form = CodeForm(request.GET or None)
    if request.GET and code_form.is_valid():
        act = act_issued_by_code(code_form.cleaned_data["code"])
        # The act's page under its canonical code; an unknown code's page says what was typed.
        return redirect("public:act_verify", code=act.code if act is not None else code_form.typed)
    upload_form = VerifyForm(request.POST or None, request.FILES or None)
    context = {"code_form": code_form, "upload_form": upload_form, "result": None}
    status = 200
    if request.method == "POST":
        if upload_form.is_valid():
            context["result"] = pdf_verify(upload_form.cleaned_data["fichier"])
        else:
            status = 400
    return render(request, "public/act_verify_home.html", context, status=status)


@require_http_methods(["GET", "POST"])
def act_verify(request: HttpRequest, code: str) -> HttpResponse:
    """The page the QR code leads to: is there an act with this code, and is this file exactly it?"""
    normalised = code_normalise(code)
    act = act_issued_by_code(normalised) if normalised else None
    upload_form = VerifyForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if act is None:
        status = 404
    elif request.method == "POST":
        if upload_form.is_valid():
            result = pdf_verify(upload_form.cleaned_data["fichier"], code=act.code)
        else:
            status = 400
    # An act whose dossier was eliminated keeps its code and digest: a copy can still be checked.
    eliminated_at = (
        Tombstone.objects.filter(dossier_id=act.dossier_id).values_list("eliminated_at", flat=True).first()
        if act is not None
        else None
    )
    context = {"act": act, "code": code, "upload_form": upload_form, "result": result, "eliminated_at": eliminated_at}
    return render(request, "public/act_verify.html", context, status=status)
