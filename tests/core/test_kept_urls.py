"""Addresses reversed once per process (core/kept_urls.py, and `{% url %}` through it): the same
addresses as Django's `reverse`, told apart by everything that changes them, errors never kept."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from guichet.core import kept_urls
from guichet.core.kept_urls import reverse_kept


def test_the_same_address_as_reverse_kept_once():
    kept_urls._kept.clear()
    assert reverse_kept("usager:dossier_detail", args=[12]) == reverse("usager:dossier_detail", args=[12])
    assert reverse_kept("usager:dossier_detail", args=[13]) == reverse("usager:dossier_detail", args=[13])
    assert reverse_kept("usager:dossier_page", kwargs={"pk": 12, "number": 2}) == reverse(
        "usager:dossier_page", kwargs={"pk": 12, "number": 2}
    )
    assert reverse_kept("usager:dossier_detail", args=[12]) == reverse("usager:dossier_detail", args=[12])
    assert len(kept_urls._kept) == 3


def test_an_address_that_cannot_be_reversed_fails_each_time_and_is_not_kept():
    kept_urls._kept.clear()
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            reverse_kept("usager:dossier_detail", args=["pas-un-nombre"])
    assert kept_urls._kept == {}


def test_another_prefix_or_a_changed_setting_reverses_again():
    try:
        set_script_prefix("/guichet/")
        assert reverse_kept("public:home") == "/guichet/"
    finally:
        set_script_prefix("/")
    assert reverse_kept("public:home") == "/"
    reverse_kept("public:home")
    with override_settings(APPEND_SLASH=True):
        assert kept_urls._kept == {}


def test_the_url_tag_of_every_template_reverses_through_it():
    kept_urls._kept.clear()
    page = Template('<a href="{% url "usager:dossier_detail" pk %}">{% url "public:home" as home %}{{ home }}</a>')
    html = page.render(Context({"pk": 7}))
    assert html == f'<a href="{reverse("usager:dossier_detail", args=[7])}">/</a>'
    assert len(kept_urls._kept) == 2
    with pytest.raises(NoReverseMatch):
        Template('{% url "nulle:part" %}').render(Context())
    assert Template('{% url "nulle:part" as nowhere %}[{{ nowhere }}]').render(Context()) == "[]"
