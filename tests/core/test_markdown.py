from guichet.core.markdown import markdown_render


def test_the_safe_subset_is_rendered():
    html = markdown_render(
        "Un *mot* et un **autre**, [le guide](https://exemple.fr/guide) ou [écrire](mailto:accueil@exemple.fr).\n"
        "À la ligne.\n\n- premier\n- second\n\n1. un\n2. deux"
    )
    assert html == (
        '<p>Un <em>mot</em> et un <strong>autre</strong>, <a href="https://exemple.fr/guide" rel="noopener">le guide'
        '</a> ou <a href="mailto:accueil@exemple.fr">écrire</a>.<br>\nÀ la ligne.</p>\n'
        "<ul>\n<li>premier</li>\n<li>second</li>\n</ul>\n<ol>\n<li>un</li>\n<li>deux</li>\n</ol>\n"
    )


def test_scripts_raw_html_and_dangerous_links_come_out_inert():
    html = markdown_render(
        '<script>alert("x")</script>\n\n<img src=x onerror=alert(1)> <a href="https://exemple.fr">lien</a>\n\n'
        "[piège](javascript:alert(1)) [données](data:text/html;base64,PHNjcmlwdD4=) [relatif](/admin/)\n\n"
        "![image](https://traqueur.exemple/pixel.png)\n\n# Titre\n\n<https://exemple.fr/auto>"
    )
    assert "<script" not in html and "<img" not in html and "<h1" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html and 'href="/admin/' not in html
    assert "[piège](javascript:alert(1))" in html  # left as plain text
    assert 'href="https://exemple.fr/auto"' not in html


def test_an_empty_text_renders_nothing():
    assert markdown_render("") == ""
