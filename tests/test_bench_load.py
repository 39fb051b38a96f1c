"""The check `bench load` makes of each app search: the direct hits' quotes, in order, on the page."""
from __future__ import annotations

from types import SimpleNamespace

from research_hub.bench.load import matches


def hits(*texts):
    return [SimpleNamespace(text=t) for t in texts]


def test_the_quotes_must_all_be_on_the_page_in_order():
    page = "3 quotes for x\nIt is\u2060 slow to  export.\nRenee · score 0.91\nBank feeds break.\n· score 0.80"
    assert matches(page, hits("It is slow to export.", "Bank feeds break."))
    assert not matches(page, hits("Bank feeds break.", "It is slow to export."))  # order
    assert not matches(page, hits("It is slow to export.", "A quote the app did not show."))
