"""axe-core inside the browser tests: a page with a serious or critical violation fails."""

from typing import Any

SEVERE = ("serious", "critical")


def axe_check(page: Any, *, exclude: tuple[str, ...] = ()) -> None:
    """Run axe-core (bundled by axe-playwright-python, no network) on the page as it is now
    and fail on serious or critical violations, naming rule, nodes and page."""
    from axe_playwright_python.sync_playwright import Axe

    context: Any = {"exclude": [[s] for s in exclude]} if exclude else None
    results = Axe().run(page, context=context)
    severe = [v for v in results.response["violations"] if v.get("impact") in SEVERE]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in severe
    ]
    assert not severe, f"axe on {page.url}:\n" + "\n".join(lines)
