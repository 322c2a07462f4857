"""No button shows an icon without its words by accident. The DSFR draws a button with an icon
(`fr-icon-…`) as the icon alone unless the button or its group says where the icon goes
(`fr-btn--icon-left`, `fr-btns-group--icon-left`): the confirmation page's "Télécharger mon dossier
(PDF)" and the instructors' ZIP button were shown as a bare arrow. Every template's icon button
shows its label, or, when it is meant as an icon alone, carries a title or an aria-label."""

from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

VOID = {"input", "br", "img", "hr", "meta", "link", "source", "wbr", "col", "area", "embed", "track"}


class _IconButtons(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[set[str]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if "fr-btn" in classes and any(name.startswith("fr-icon-") for name in classes):
            self._check(classes, attributes)
        if tag not in VOID:
            self.stack.append(classes)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def _check(self, classes: set[str], attributes: dict) -> None:
        if attributes.get("title") or attributes.get("aria-label"):
            return  # an icon alone, named
        outer = [c for c in reversed(self.stack)]
        if any({"fr-header__tools-links", "fr-header__menu-links"} & c for c in outer):
            return  # the header's tools show their labels
        group = next((c for c in outer if "fr-btns-group" in c), None)
        if group is not None:
            shown = {"fr-btns-group--icon-left", "fr-btns-group--icon-right"} & group
        else:
            shown = {"fr-btn--icon-left", "fr-btn--icon-right"} & classes
        if not shown:
            self.problems.append(" ".join(sorted(classes)))


def icon_only_buttons(html: str) -> list[str]:
    parser = _IconButtons()
    parser.feed(html)
    return parser.problems


def templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "guichet"
    return sorted(root.glob("templates/**/*.html")) + sorted(root.glob("*/templates/**/*.html"))


def test_every_icon_button_of_the_templates_shows_its_label_or_is_named():
    found = {
        str(path.relative_to(settings.BASE_DIR)): problems
        for path in templates()
        if (problems := icon_only_buttons(path.read_text()))
    }
    assert found == {}


def test_the_check_sees_a_button_cut_down_to_its_icon():
    cut = (
        '<ul class="fr-btns-group fr-btns-group--inline-md">'
        '<li><a class="fr-btn fr-icon-download-line fr-btn--icon-left">PDF</a></li></ul>'
    )
    assert icon_only_buttons(cut) == ["fr-btn fr-btn--icon-left fr-icon-download-line"]
    assert icon_only_buttons(cut.replace("--inline-md", "--inline-md fr-btns-group--icon-left")) == []
    assert icon_only_buttons('<button class="fr-btn fr-icon-delete-line" title="Supprimer"></button>') == []
    assert icon_only_buttons('<button class="fr-btn fr-icon-delete-line">Supprimer</button>') != []
