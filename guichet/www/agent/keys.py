"""An instructor's keys to the API (guichet/api): made, listed, revoked. A key is shown once."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from guichet.api.selectors import api_tokens_of
from guichet.api.services import api_token_create, api_token_revoke

from .access import instructor_required


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Nom de la clé",
        max_length=100,
        help_text="Pour la reconnaître : le logiciel ou le service qui l’utilisera.",
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ValueError as error:
            form.add_error("name", str(error))
        else:
            form = ApiKeyForm()
    context = {"form": form, "made": made, "tokens": api_tokens_of(request.user)}
    return render(request, "agent/api_keys.html", context, status=400 if form.errors else 200)


@instructor_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"La clé « {token.name} » est révoquée : elle ne permet plus rien.")
    return redirect("agent:api_keys")
