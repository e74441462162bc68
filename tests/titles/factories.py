"""Factories of titles (qnwmh/titles)."""

import factory

from qnwmh.cycles.enums import Level
from qnwmh.titles.models import Title


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title

    collective = None
    level = Level.PROVINCIAL
    year = 2022
    name = "湖南省青年文明号"
