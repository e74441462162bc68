"""API v1's input parser: JSON bodies, query strings and forms, each string checked once for
characters no text field can store (core/input.py) before any schema or endpoint sees it."""

import json

from ninja.parser import Parser

from qnwmh.core.input import check_storable, check_storable_querydict


class CheckedParser(Parser):
    def parse_body(self, request):
        # Ninja wraps any error here in HttpError(400); errors.py answers with this cause.
        data = json.loads(request.body)
        check_storable(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        check_storable_querydict(data)
        return super().parse_querydict(data, list_fields, request)
