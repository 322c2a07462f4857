"""The browser policies of every HTML page: a Content-Security-Policy whose nonce is on each inline
script and style (and no inline handler or style attribute anywhere), Permissions-Policy,
Referrer-Policy and Cross-Origin-Opener-Policy. The pages of each kind of person are crawled from
their entry pages, so that a new page is checked without being listed here."""

import re
from urllib.parse import urldefrag, urlsplit

import lxml.html
import pytest
from django.urls import reverse

from guichet.core.middleware import permissions_policy_header
from guichet.demo.loader import ADMINISTRATOR, APPLICANTS, DEMO_PASSWORD, INSTRUCTOR_TOWN, STEERING, SUPERADMIN

pytestmark = pytest.mark.django_db

# Scripts of these types are data for other scripts, never run: the policy does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "importmap"}
PAGES_PER_PERSON = 30
# Links a crawl does not follow: downloads and exports (not HTML), the API's key-holder pages.
NOT_FOLLOWED = re.compile(r"/(telecharger|export|pdf|fichiers?|actes?/\d+|api/v1/(?!docs))|\.(csv|xlsx|ods|zip|pdf)$")


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    found = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
    assert found, policy
    assert re.search(rf"style-src [^;]*'nonce-{re.escape(found.group(1))}'", policy), policy
    return found.group(1)


def policy_problems(html: str, nonce: str) -> list[str]:
    """What in a page the policy would block: an inline script or style without the nonce, an
    inline event handler, a style attribute."""
    problems = []
    document = lxml.html.document_fromstring(html)
    for script in document.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if script.get("src") is None and kind not in DATA_SCRIPT_TYPES and script.get("nonce") != nonce:
            problems.append(f"<script> sans nonce : {(script.text or '').strip()[:60]!r}")
    for style in document.iter("style"):
        if style.get("nonce") != nonce:
            problems.append(f"<style> sans nonce : {(style.text or '').strip()[:60]!r}")
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        for name in element.attrib:
            if name.lower().startswith("on"):
                problems.append(f"<{element.tag} {name}=…> : gestionnaire d’événement en ligne")
            elif name.lower() == "style":
                problems.append(f"<{element.tag} style=…> : attribut de style en ligne")
    return problems


def assert_page_follows_the_policies(response, url: str) -> None:
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert "camera=()" in response["Permissions-Policy"], url
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, url
    assert "frame-ancestors 'none'" in policy, url
    problems = policy_problems(response.content.decode(), nonce_of(response))
    assert not problems, f"{url}\n" + "\n".join(problems)


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(client, starts: list[str], *, limit: int = PAGES_PER_PERSON) -> list[str]:
    """The HTML pages reached from `starts` by following the links within the site (GET only),
    each checked; returns the pages seen. Two pages of one kind (the same address but for its
    numbers and query) are enough: the crawl goes on to other kinds."""
    queue, seen, shapes = list(starts), [], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or shapes.get(_shape(url), 0) >= 2:
            continue
        seen.append(url)
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302):
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert_page_follows_the_policies(response, url)
        for href in lxml.html.document_fromstring(response.content).xpath("//a/@href"):
            target = urldefrag(href).url
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/") or NOT_FOLLOWED.search(target):
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


def test_the_checker_finds_what_the_policy_would_block():
    nonce = "abc123"
    page = f"""<html><head><style nonce="{nonce}">p {{}}</style><style>b {{}}</style>
        <script nonce="{nonce}">ok()</script><script>bad()</script><script src="/s.js"></script>
        <script type="application/json">{{}}</script></head>
        <body><a href="#" onclick="bad()">x</a><p style="color: red">y</p></body></html>"""
    problems = policy_problems(page, nonce)
    assert len(problems) == 4, problems
    assert any("<style> sans nonce" in problem for problem in problems)
    assert any("<script> sans nonce : 'bad()'" in problem for problem in problems)
    assert any("onclick" in problem for problem in problems)
    assert any("style=" in problem for problem in problems)


def test_each_response_has_its_own_nonce(client, demo):
    first, second = client.get(reverse("public:home")), client.get(reverse("public:home"))
    assert nonce_of(first) != nonce_of(second)


def test_the_permissions_policy_denies_what_no_page_uses():
    header = permissions_policy_header({"camera": [], "publickey-credentials-get": ["self", "https://a.fr"]})
    assert header == 'camera=(), publickey-credentials-get=(self "https://a.fr")'


def test_public_and_error_pages_follow_the_policies(client, demo):
    seen = crawl(client, [reverse("public:home"), reverse("accounts:login"), reverse("observatoire:quality")])
    assert len(seen) >= 10
    for url, status in (("/page-qui-n-existe-pas/", 404), (reverse("agent:procedures"), 302)):
        response = client.get(url)
        assert response.status_code == status
        assert "Content-Security-Policy" in response
    assert client.login(email=APPLICANTS[0].email, password=DEMO_PASSWORD)
    forbidden = client.get(reverse("agent:procedures"))
    assert forbidden.status_code == 403
    assert_page_follows_the_policies(forbidden, "403")


@pytest.mark.parametrize(
    ("account", "starts"),
    [
        (APPLICANTS[0], ["usager:my_dossiers"]),
        (INSTRUCTOR_TOWN, ["agent:procedures"]),
        (ADMINISTRATOR, ["admin_procedures:list"]),
        (STEERING, ["observatoire:quality"]),
        (SUPERADMIN, ["admin:index", "admin:core_auditevent_changelist", "admin:dossiers_dossier_changelist"]),
    ],
    ids=["usager", "instructeur", "administrateur", "pilotage", "admin"],
)
def test_every_page_of_each_person_follows_the_policies(client, demo, account, starts):
    assert client.login(email=account.email, password=DEMO_PASSWORD)
    seen = crawl(client, [reverse(name) for name in starts])
    assert len(seen) >= 5, seen


def test_the_applicants_form_pages_follow_the_policies(client, demo):
    """The form engine's page (its script is a static file) and its live update (an htmx swap)."""
    assert client.login(email=APPLICANTS[0].email, password=DEMO_PASSWORD)
    start = client.post(reverse("usager:dossier_start", args=["inscription-liste-electorale"]))
    page_url = start["Location"]
    response = client.get(page_url)
    assert_page_follows_the_policies(response, page_url)
    assert b"guichet/formengine.js" in response.content
    swapped = client.post(page_url, {"_refresh": "1"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert not policy_problems(swapped.content.decode(), nonce_of(swapped))


def test_forms_may_lead_to_the_sign_in_provider_only_when_it_is_configured(client, settings):
    settings.FRANCECONNECT_ISSUER = ""
    assert "form-action 'self';" in client.get(reverse("accounts:login"))["Content-Security-Policy"] + ";"
    settings.FRANCECONNECT_ISSUER = "https://fcp-low.integ01.dev-franceconnect.fr/api/v2"
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "form-action 'self' https://fcp-low.integ01.dev-franceconnect.fr" in policy


def test_forms_may_lead_to_proconnect_too_when_it_is_configured(client, settings):
    settings.FRANCECONNECT_ISSUER = ""
    settings.PROCONNECT_ISSUER = "https://fca.integ01.dev-agentconnect.fr/api/v2"
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "form-action 'self' https://fca.integ01.dev-agentconnect.fr" in policy
