"""An act's template cannot cost without bound: loops, texts, numbers and time are bounded inside the
template engine. Over a bound, the template is refused at save time with a clear message; an act
whose template goes over them on a real dossier fails at once, tells the instructors why, and the
follow-up chain goes on without it."""

import pytest
from django.core import mail
from django.urls import reverse

from guichet.documents import template_limits
from guichet.documents.models import ActStatus, ActTemplate
from guichet.documents.templating import TemplateInvalid, template_render
from guichet.dossiers.models import ActKind
from guichet.instruction.models import FollowUpStep
from tests.documents.test_templates import save
from tests.factories import DossierFactory, instructor_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "words"),
    [
        # 4 million turns that wrote 4 MB.
        ("{% for i in range(2000) %}{% for j in range(2000) %}x{% endfor %}{% endfor %}\n", "tours de boucle"),
        # Loops that write nothing are counted too.
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n", "tours de boucle"),
        ('{{ "x" * 10**7 }}\n', "texte trop long (plus de 200\u202f000 caractères, ici au moins 10\u202f000\u202f000)"),
        ('{% set s = "x" * 150000 %}{% set s = s ~ s %}{{ s }}\n', "texte trop long"),
        ('{% for i in range(90000) %}{{ "abc" }}{% endfor %}\n', "texte trop long"),
        ('{{ range(60000) | join("-") }}\n', "texte trop long"),
        ("{{ 10 ** 100 }}\n", "puissance trop grande"),
        ('{{ "x" | center(10**7) }}\n', "le filtre « center » n’est pas permis"),
        ('{{ "x".ljust(10**7) }}\n', "opération non permise"),
        ('{{ "%10000000s" % "x" }}\n', "formatage de texte"),
        ("{% for i in [1] recursive %}{{ loop([1]) }}{% endfor %}\n", "boucles récursives"),
    ],
    ids=["loops", "silent-loops", "repeat", "concat", "long-loop", "join", "power", "center", "ljust", "%", "rec"],
)
def test_a_costly_template_is_refused_at_save_time(procedure, administrator, body, words):
    with pytest.raises(TemplateInvalid) as caught:
        save(procedure, administrator, body)
    (problem,) = caught.value.problems
    assert words in problem.message, problem.message
    assert not ActTemplate.objects.exists()


def test_a_slow_template_is_stopped_at_its_deadline(monkeypatch):
    monkeypatch.setattr(template_limits, "MAX_SECONDS", 0)
    with pytest.raises(template_limits.TemplateTooCostly, match="trop de temps"):
        template_render("{% for i in range(1000) %}{% endfor %}", {})


def test_a_template_within_the_bounds_renders_its_loops_and_filters():
    body = '{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{{ i }}{% endfor %} {{ "ab" | upper }}\n'
    text = template_render(body, {})
    assert text.startswith("0123") and text.endswith("299 AB\n")
    assert template_render('{{ [1, 2, 3] | sum }} {{ ["a", "b"] | join(", ") }} {{ 2 ** 10 }}', {}) == "6 a, b 1024"


def test_the_editing_screen_says_why_a_costly_template_is_refused(client, procedure, administrator):
    client.force_login(administrator)
    url = reverse("admin_procedures:act_edit", args=[procedure.slug, "acceptation"])
    body = "{% for i in range(2000) %}{% for j in range(2000) %}x{% endfor %}{% endfor %}\n"
    response = client.post(url, {"title": "Arrêté", "body": body, "signatory_name": "", "signatory_title": ""})
    assert response.status_code == 400
    assert "le modèle répète trop d’opérations" in response.content.decode()
    assert not ActTemplate.objects.exists()


# Fine on the sample dossier (a short answer), too costly on a dossier whose answer is long.
PER_LETTER = '{% for a in reponse("objet") %}{% for b in reponse("objet") %}{% endfor %}{% endfor %}Accepté.\n'


def test_an_act_whose_template_goes_over_the_bounds_fails_at_once_and_the_chain_goes_on(
    client,
    procedure,
    administrator,
    submit,
    decide,
):
    save(procedure, administrator, PER_LETTER)
    dossier = DossierFactory(procedure=procedure, answers={"objet": "Un pied d’arbre " * 30})
    submit(dossier)
    act = decide(dossier)
    # Failed at the first attempt (trying again would meet the same bounds), with the reason.
    assert act.status == ActStatus.FAILED and act.attempts == 1
    assert act.last_error.startswith("modèle de l’acte à faire corriger : le modèle répète trop d’opérations")
    step = FollowUpStep.objects.get(transition=act.transition, name=FollowUpStep.Name.ISSUE_ACT)
    assert step.status == FollowUpStep.Status.FAILED and step.attempts == 1
    # The applicant is told of the decision all the same, without the act.
    (email,) = mail.outbox
    assert dossier.number in email.subject and not email.attachments
    client.force_login(instructor_of(procedure))
    html = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Échec" in html and "modèle de l’acte à faire corriger" in html
    # The same template on a short answer still makes its act.
    short = DossierFactory(procedure=procedure, answers={"objet": "Un arbre"})
    submit(short)
    assert decide(short).status == ActStatus.ISSUED
    assert ActTemplate.objects.get(procedure=procedure, kind=ActKind.ACCEPTANCE).body == PER_LETTER


def test_a_template_saved_before_the_bounds_is_shown_with_what_to_correct(client, procedure, administrator):
    ActTemplate.objects.create(procedure=procedure, kind=ActKind.REFUSAL, title="Refus", body='{{ "x" * 10**7 }}\n')
    client.force_login(administrator)
    page = client.get(reverse("admin_procedures:act_edit", args=[procedure.slug, "refus"]))
    assert page.status_code == 200
    assert "est à corriger : le modèle produit un texte trop long" in page.content.decode()
    specimen = client.get(reverse("admin_procedures:act_specimen", args=[procedure.slug, "refus"]), follow=True)
    assert "Le spécimen ne peut pas être produit" in specimen.content.decode()
