"""Form widgets rendered with fewer template includes (docs/performance.md §3)."""

from django import forms


class Select(forms.Select):
    """Django's Select, writing the same HTML, with each <option> written inline: Django's
    own template includes two templates per option."""

    template_name = "web/widgets/select.html"
