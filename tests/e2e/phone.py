"""What a screen is held to on a phone, and the gallery of screens a person can look through.

`phone_problems` resizes the page to 390 × 844 CSS px (a common phone held upright) and asks the document itself:
the page must not scroll sideways (document.documentElement.scrollWidth within the viewport), no visible text may
be drawn smaller than 12 CSS px (chart text included, measured as drawn after the SVG is scaled to fit), no two
controls or links may overlap, and the controls a thumb presses (buttons, fields, menus, the header's links) must
be at least 44 × 44 px. `shoot` writes the page's screenshot to test-artifacts/screens/<language>/<role>/.
"""

import re
from pathlib import Path

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
GALLERY = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
MIN_TEXT_PX = 12
MIN_TARGET_PX = 44

PHONE_CHECKS = """({minText, minTarget}) => {
  const problems = [];
  const name = (element) => {
    const id = element.id ? "#" + element.id : "";
    const classes = typeof element.className === "string" && element.className.trim()
      ? "." + element.className.trim().split(/\\s+/).join(".") : "";
    const text = (element.innerText || element.textContent || element.value || "").trim().slice(0, 30);
    return `<${element.tagName.toLowerCase()}${id}${classes}> "${text}"`;
  };
  const shown = (element) => {
    if (!element.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    // Text kept for screen readers only (.visually-hidden, the skip link until it has the focus) is not drawn.
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(50%)") return false;
    }
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > -window.scrollY;
  };

  // Inside a container that scrolls or clips sideways, reaching past the screen's edge is the container's business.
  const clipped = (element) => {
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  const viewport = window.innerWidth;
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > viewport) {
    const wide = [...document.body.querySelectorAll("*")].filter((element) => {
      const box = element.getBoundingClientRect();
      return box.right > viewport + 0.5 && box.width > 0 && !element.closest("svg *")
        && shown(element) && !clipped(element);
    });
    // The innermost of the elements reaching past the edge are the ones to blame.
    const culprits = wide.filter((element) => !wide.some((other) => other !== element && element.contains(other)));
    const blamed = culprits.slice(0, 4).map(name).join(", ");
    problems.push(`the page is ${pageWidth}px wide in a ${viewport}px viewport: ${blamed}`);
  }

  const small = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest("title, desc, script, style, option")) continue;
    if (!shown(element)) continue;
    let size = parseFloat(getComputedStyle(element).fontSize);
    const svg = element.closest("svg");
    if (svg) size *= svg.getScreenCTM().a;  // an SVG's text shrinks with the drawing
    if (size < minText - 0.05 && !small.has(element)) small.set(element, size);
  }
  for (const [element, size] of [...small].slice(0, 5)) {
    problems.push(`text drawn at ${size.toFixed(1)}px: ${name(element)}`);
  }

  const interactive = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for]"
  )].filter(shown);
  const boxes = interactive.map(
    (element) => [element, [...element.getClientRects()].filter((r) => r.width && r.height)]);
  const related = (a, b) => a.contains(b) || b.contains(a)
    || (a.htmlFor && a.htmlFor === b.id) || (b.htmlFor && b.htmlFor === a.id)
    || (a.tagName === "LABEL" && a.contains(b)) || (b.tagName === "LABEL" && b.contains(a));
  let overlaps = 0;
  for (let i = 0; i < boxes.length && overlaps < 5; i++) {
    for (let j = i + 1; j < boxes.length && overlaps < 5; j++) {
      const [a, aBoxes] = boxes[i], [b, bBoxes] = boxes[j];
      if (related(a, b)) continue;
      const hit = aBoxes.some((p) => bBoxes.some((q) => Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
        && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1));
      if (hit) { overlaps++; problems.push(`${name(a)} overlaps ${name(b)}`); }
    }
  }

  const targets = interactive.filter((element) =>
    element.matches("button, select, textarea, summary, header a, label.menu-button, "
      + "input:not([type=checkbox]):not([type=radio]):not([type=file])"));
  let tiny = 0;
  for (const element of targets) {
    const box = element.getBoundingClientRect();
    if ((box.height < minTarget - 0.5 || box.width < minTarget - 0.5) && tiny++ < 5) {
      problems.push(`touch target ${Math.round(box.width)} × ${Math.round(box.height)}px: ${name(element)}`);
    }
  }
  return problems;
}"""


def phone_problems(page):
    """Lay the page out at 390 × 844 and list what does not fit a phone; the viewport is left at phone size."""
    page.set_viewport_size(PHONE)
    found = page.evaluate(PHONE_CHECKS, {"minText": MIN_TEXT_PX, "minTarget": MIN_TARGET_PX})
    return [f"{page.url}: {problem}" for problem in found]


def screen_name(url):
    """A file name for the screen at `url`: its path with the object numbers kept, e.g. proposals-12-edit, and a
    signed token shortened to "token"."""
    parts = [part if len(part) < 24 else "token" for part in url.split("?")[0].split("/")]
    return re.sub(r"[^A-Za-z0-9]+", "-", "-".join(parts)).strip("-") or "home"


def shoot(page, *, role, language, url, width_name):
    """Keep a full-page screenshot of what the page shows now in the gallery."""
    folder = GALLERY / language / role
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{screen_name(url)}.{width_name}.png"), full_page=True)
