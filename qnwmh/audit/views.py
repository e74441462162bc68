from django.shortcuts import render

from qnwmh.audit.forms import AuditFilterForm
from qnwmh.audit.models import AuditEntry
from qnwmh.core.access import role_required
from qnwmh.core.pagination import paginate
from qnwmh.core.roles import AdminRole


# 三权分立: the audit log is the audit administrator's, and only that.
@role_required(AdminRole.AUDIT)
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.visible_to(request.user))
    page = paginate(entries, request.GET, default_size=50)
    return render(request, "audit/list.html", {"form": form, "page": page})
