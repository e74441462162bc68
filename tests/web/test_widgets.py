"""qnwmh.core.widgets.Select writes exactly Django's Select HTML (docs/performance.md §3)."""

import pytest
from django import forms

from qnwmh.core.widgets import Select

CHOICES = [("", "—"), ("a<", "A&"), ("Group", [("x", "X"), ("y", "Y")]), (3, "three")]
ATTRS = {"id": "id_n", "data-x": "1", "disabled": True, "hidden": False}


@pytest.mark.parametrize("value", ["", "a<", "y", 3, None])
def test_select_writes_the_same_html_as_django(value):
    expected = forms.Select(attrs=ATTRS, choices=CHOICES).render("n", value)
    assert Select(attrs=ATTRS, choices=CHOICES).render("n", value) == expected
