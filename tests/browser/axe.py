"""The axe-core accessibility audit, run in the page by the browser tests (axe-core comes from npm:
`make install` puts it in node_modules)."""

from pathlib import Path

from django.conf import settings

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Every serious or critical violation on the page as it is now (once it has loaded: the audit of a
    page still being replaced by the one a click asked for finds no document, on a loaded machine)."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol: a <script> added to the page would be
        # refused by its Content-Security-Policy.
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation["impact"] in BLOCKING]


def assert_accessible(page, audited: list[str] | None = None) -> None:
    """Fail with a readable list when axe finds a serious or critical violation."""
    violations = axe_violations(page)
    described = [
        f"{v['impact']} {v['id']}: {v['help']} — " + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in violations
    ]
    assert not described, f"{page.url}\n" + "\n".join(described)
    if audited is not None:
        audited.append(page.url)
