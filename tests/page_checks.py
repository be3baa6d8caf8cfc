"""Every page a browser test visits is checked: axe-core (WCAG 2.1 A and AA, any impact) and html-validate.

`PageChecks.watch(page)` hooks the page: each HTML document the browser loads is kept as the server sent it,
and after each load axe-core (from the project's `node_modules`, installed by `npm ci`) runs in the page.
`PageChecks.finish()` validates the kept documents with html-validate's `recommended` preset (checkbox groups
may share a name) in one run of its command line and raises if axe or html-validate found anything.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response

ROOT = Path(__file__).parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
# The `recommended` preset; a group of checkboxes shares one name, as HTML forms have always done.
HTML_VALIDATE_CONFIG = {
    "extends": ["html-validate:recommended"],
    "rules": {"form-dup-name": ["error", {"shared": ["radio", "checkbox", "button", "reset", "submit"]}]},
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every id an aria attribute or a label names must exist on the page (axe accepts one of several missing).
MISSING_IDREFS = """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls], [for]")
  ].flatMap(e => ["aria-describedby", "aria-labelledby", "aria-controls", "for"]
    .flatMap(a => (e.getAttribute(a) || "").split(/\\s+/).filter(Boolean)
      .filter(id => !document.getElementById(id)).map(id => `${a}=${id}`)))"""
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def node_tools_missing() -> str | None:
    """Why the checks cannot run (the node tools are not installed), or None."""
    if not AXE_JS.exists() or not HTML_VALIDATE.exists():
        return "axe-core and html-validate are not installed: run `npm ci` in the repository"
    return None


class PageChecks:
    """The axe findings and kept documents of one browser session's pages."""

    def __init__(self) -> None:
        self.axe_source = AXE_JS.read_text(encoding="utf-8")
        self.documents: dict[str, tuple[str, str]] = {}
        self.findings: list[str] = []
        self.pages_checked = 0

    def watch(self, page: Page) -> None:
        page.on("response", self._keep_document)
        page.on("load", lambda loaded: self.check_accessibility(loaded))

    def _keep_document(self, response: Response) -> None:
        request = response.request
        if request.resource_type != "document" or request.frame.parent_frame is not None:
            return
        if "text/html" not in response.headers.get("content-type", ""):
            return
        try:
            body = response.text()
        except PlaywrightError:  # a redirect or a navigated-away response has no body to keep
            return
        digest = hashlib.sha256(body.encode()).hexdigest()[:16]
        self.documents.setdefault(digest, (response.url, body))

    def check_accessibility(self, page: Page) -> None:
        """Run axe-core in the page as it is now (also after a viewport or content change)."""
        if page.is_closed() or not page.url.startswith("http"):
            return
        try:
            if not page.evaluate("() => typeof axe !== 'undefined'"):
                page.evaluate(self.axe_source)
            violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
            missing: list[str] = page.evaluate(MISSING_IDREFS)
        except PlaywrightError as error:
            if "context was destroyed" in error.message or "closed" in error.message:
                return  # the test moved on to the next page, which is checked when it loads
            raise
        self.pages_checked += 1
        width = page.viewport_size["width"] if page.viewport_size else 0
        if missing:
            self.findings.append(f"ids referred to but not on the page at {page.url}: {missing}")
        for violation in violations:
            self.findings.append(
                f"axe {violation['id']} ({violation['impact']}) at {page.url} [{width}px]: {violation['help']} "
                f"{violation['nodes']}"
            )

    def validate_documents(self) -> None:
        """html-validate (`recommended`) over every distinct document kept, in one run of its command line."""
        if not self.documents:
            return
        with tempfile.TemporaryDirectory(prefix="pages-") as directory:
            urls: dict[str, str] = {}
            for digest, (url, body) in self.documents.items():
                path = Path(directory) / f"{digest}.html"
                path.write_text(body, encoding="utf-8")
                urls[str(path)] = url
            config = Path(directory) / "htmlvalidate.json"
            config.write_text(json.dumps(HTML_VALIDATE_CONFIG), encoding="utf-8")
            run = subprocess.run(
                [str(HTML_VALIDATE), "--config", str(config), "--formatter", "json", *urls],
                capture_output=True,
                text=True,
                cwd=directory,
                check=False,
            )
            if run.returncode == 0:
                return
            for result in json.loads(run.stdout or "[]"):
                for message in result["messages"]:
                    self.findings.append(
                        f"html-validate {message['ruleId']} at {urls.get(result['filePath'], result['filePath'])} "
                        f"line {message['line']}: {message['message']}"
                    )
            if not self.findings:
                self.findings.append(f"html-validate failed: {run.stderr.strip()}")
        self.documents.clear()

    def finish(self) -> None:
        if self.documents and self.pages_checked == 0:
            self.findings.append("axe-core did not run on any page")
        self.validate_documents()
        findings, self.findings = self.findings, []
        assert findings == [], "\n".join(findings)
