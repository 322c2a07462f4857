"""Layout checks run in the page by the browser tests, next to the axe-core audit: reflow at a
phone's width (WCAG 1.4.10), controls whose label the design system would cut down to an icon, and
the selection boxes of a DSFR table."""

# Buttons and button-like links that are on screen and whose text is clipped: the DSFR turns a
# button with an icon into an icon alone (text cut by max-width and overflow: hidden) unless it, or
# its group, says where the icon goes (fr-btn--icon-left, fr-btns-group--icon-left).
_CLIPPED = """() => {
  const found = [];
  for (const element of document.querySelectorAll(".fr-btn, .fr-link")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || element.closest(".fr-header, [hidden]")) continue;
    const text = element.innerText.trim();
    const name = text || element.getAttribute("aria-label") || element.getAttribute("title") || "";
    if (!name.trim()) { found.push(`no name: ${element.outerHTML.slice(0, 160)}`); continue; }
    if (text && element.scrollWidth > element.clientWidth + 1) found.push(`label cut: ${text}`);
  }
  return found;
}"""


def page_overflow(page) -> int:
    """How many pixels the document is wider than the window (0 when nothing scrolls sideways).
    A page still being replaced after a click has no document element yet: wait for it to load."""
    page.wait_for_function("() => document.documentElement !== null && document.readyState === 'complete'")
    return page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def widest_elements(page) -> list[str]:
    """The elements that reach past the window's right edge, for a readable failure."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(-5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} → ${Math.round(e.getBoundingClientRect().right)}`)"""
    )


def assert_reflows(page, checked: list[str] | None = None) -> None:
    """Nothing scrolls sideways, and no control is left without a visible or accessible name."""
    overflow = page_overflow(page)
    assert overflow == 0, f"{page.url} is {overflow} px too wide: {widest_elements(page)}"
    assert_labels_whole(page)
    if checked is not None:
        checked.append(page.url)


def assert_labels_whole(page) -> None:
    problems = page.evaluate(_CLIPPED)
    assert not problems, f"{page.url}\n" + "\n".join(problems)


def selection_boxes_outside_their_rows(page, table: str) -> list[str]:
    """The rows of `table` whose selection checkbox does not sit inside the row (it straddled the
    row's border before the DSFR's selection cell, fr-cell--fixed, centred it). The input covers
    the box that the DSFR draws."""
    return page.evaluate(
        """(table) => [...document.querySelectorAll(`${table} tbody tr`)].filter((row) => {
          const input = row.querySelector("input[type=checkbox]");
          if (!input) return false;
          const box = input.getBoundingClientRect(), line = row.getBoundingClientRect();
          return box.top < line.top || box.bottom > line.bottom;
        }).map((row) => row.innerText.slice(0, 40))""",
        table,
    )
