"""The import's report: the first problems on the job page, all of them in a CSV."""

import csv
import io

from django.utils.translation import gettext as _

from qnwmh.core.spreadsheets import safe_row

PROBLEMS_SHOWN = 1000


def problems_csv(problems: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line number"), _("Problem")])
    for problem in problems:
        writer.writerow(safe_row([problem["line"], problem["message"]]))
    return out.getvalue().encode("utf-8-sig")
