"""`{% once %}` (core/templatetags/rendered_once.py): the parts of the layout that are the same on
every page are rendered once, see only the values given to them, and follow a change of settings."""

from django.template import Context, Template
from django.test import override_settings

LAYOUT = Template(
    "{% load rendered_once static %}<p>{{ user }}</p>"
    "{% once platform_name=platform_name %}{{ platform_name }} {% static 'guichet/guichet.css' %}{% endonce %}"
)


def test_the_part_is_rendered_once_and_the_rest_at_each_page():
    first = LAYOUT.render(Context({"platform_name": "Guichet", "user": "Camille"}))
    again = LAYOUT.render(Context({"platform_name": "Guichet", "user": "Dominique"}))
    assert first == "<p>Camille</p>Guichet /static/guichet/guichet.css"
    assert again == "<p>Dominique</p>Guichet /static/guichet/guichet.css"
    (node,) = [node for node in LAYOUT.nodelist if type(node).__name__ == "OnceNode"]
    assert len(node.rendered) == 1


def test_the_part_sees_nothing_of_the_page_but_what_it_is_given():
    leaking = Template("{% load rendered_once %}<p>{% once %}{{ user.first_name }}{% endonce %}</p>")
    assert "Camille" not in leaking.render(Context({"user": {"first_name": "Camille"}}))


def test_another_value_given_or_a_changed_setting_renders_it_again():
    assert LAYOUT.render(Context({"platform_name": "Démarches", "user": ""})).endswith(
        "Démarches /static/guichet/guichet.css"
    )
    with override_settings(STATIC_URL="/fichiers/"):
        changed = LAYOUT.render(Context({"platform_name": "Guichet", "user": ""}))
        assert changed.endswith("Guichet /fichiers/guichet/guichet.css")
    assert LAYOUT.render(Context({"platform_name": "Guichet", "user": ""})).endswith(
        "Guichet /static/guichet/guichet.css"
    )


class _Given:
    """A value that says what identifies it, as an unbound form does (`once_key`)."""

    def __init__(self, text: str, once_key):
        self.text, self.once_key = text, once_key

    def __str__(self) -> str:
        raise AssertionError("a value with a once_key is not rendered to be compared")


def test_a_value_with_a_once_key_is_told_apart_by_it_and_none_renders_it_each_time():
    part = Template("{% load rendered_once %}{% once form=form %}{{ form.text }}{% endonce %}")
    assert part.render(Context({"form": _Given("vierge", "blank")})) == "vierge"
    assert part.render(Context({"form": _Given("autre", "blank")})) == "vierge"  # the same, by its key
    assert part.render(Context({"form": _Given("répondu", None)})) == "répondu"
    assert part.render(Context({"form": _Given("répondu autrement", None)})) == "répondu autrement"
    (node,) = [node for node in part.nodelist if type(node).__name__ == "OnceNode"]
    assert len(node.rendered) == 1
