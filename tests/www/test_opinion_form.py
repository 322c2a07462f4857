"""The applicant's opinion form at the end of a dossier: the DSFR's radio and checkbox groups, no
emoji, and the questions on the help received only once the person said they needed help, with or
without JavaScript."""

import re

import pytest
from django.urls import reverse

from guichet.dossiers.models import Opinion
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db

# Emoji and pictographic symbols, which some systems draw as empty boxes.
EMOJI = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def dossier(applicant):
    return DossierFactory(applicant=applicant, submitted=True)


def followups_hidden(html: str) -> bool:
    return re.search(r'<div id="avis-suite-aide"[^>]*\bhidden\b', html) is not None


def test_the_form_uses_the_dsfr_groups_and_hides_the_help_questions_at_first(client, dossier):
    html = client.get(reverse("usager:dossier_submitted", args=[dossier.pk])).content.decode()
    form = html[html.index('id="avis"') :]
    assert not EMOJI.search(form)
    # Every question is a fieldset with its legend; each option sits in its DSFR group, label beside it.
    assert form.count('<fieldset class="fr-fieldset"') == 6
    assert form.count('class="fr-fieldset__legend') == 6
    assert form.count('<div class="fr-radio-group">') == 3 + 5 + 2 + 2 + 5
    assert form.count('<div class="fr-checkbox-group">') == len(Opinion.HelpChannel.choices)
    assert re.search(
        r'<div class="fr-radio-group">\s*<input type="radio" name="overall" value="10" id="id_overall_2" required>\s*'
        r'<label class="fr-label" for="id_overall_2">Très bien</label>',
        form,
    )
    assert followups_hidden(form)
    assert re.search(r'<input type="hidden" name="suite_aide" value="1" disabled>', form)


def test_without_javascript_the_help_questions_come_after_the_first_sending(client, dossier):
    url = reverse("usager:dossier_opinion", args=[dossier.pk])
    first = client.post(url, {"overall": "10", "clarity": "4", "help_needed": "true"})
    assert first.status_code == 200 and not Opinion.objects.filter(dossier=dossier).exists()
    html = first.content.decode()
    assert not followups_hidden(html) and "trois questions de plus sur cette aide" in html
    assert 'name="overall" value="10" id="id_overall_2" checked required' in html  # the answers are kept
    assert 'name="suite_aide" value="1">' in html  # now sent with the form
    client.post(
        url,
        {"overall": "10", "clarity": "4", "help_needed": "true", "suite_aide": "1", "help_channels": ["phone"]},
    )
    opinion = Opinion.objects.get(dossier=dossier)
    assert (opinion.help_needed, opinion.help_channels, opinion.help_reached) == (True, ["phone"], None)


def test_no_help_needed_records_the_opinion_at_once(client, dossier):
    response = client.post(
        reverse("usager:dossier_opinion", args=[dossier.pk]), {"overall": "5", "help_needed": "false"}
    )
    assert response.status_code == 302
    assert Opinion.objects.get(dossier=dossier).help_needed is False


def test_with_the_script_the_questions_shown_on_screen_are_sent_in_one_go(client, dossier):
    # The script enables `suite_aide` when it shows the questions: left unanswered, they are skipped.
    response = client.post(
        reverse("usager:dossier_opinion", args=[dossier.pk]), {"overall": "0", "help_needed": "true", "suite_aide": "1"}
    )
    assert response.status_code == 302 and Opinion.objects.get(dossier=dossier).help_needed is True


def test_an_error_keeps_the_help_questions_open_when_help_was_needed(client, dossier):
    response = client.post(reverse("usager:dossier_opinion", args=[dossier.pk]), {"help_needed": "true"})
    html = response.content.decode()
    assert response.status_code == 400 and "Dites-nous comment ça s’est passé." in html
    assert not followups_hidden(html)
