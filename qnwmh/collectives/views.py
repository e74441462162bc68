"""Pages of collectives (集体): list and search (找回编码), create with near-duplicate check,
detail with its actions, legacy import. Thin: parse, call the domain, render. Admins only;
anything outside the admin's subtree is 404."""

import io

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qnwmh.collectives import domain, duplicates, frozen, imports, queries, rules, transfers
from qnwmh.collectives.forms import (
    CollectiveForm,
    DeclineForm,
    DetailsForm,
    ImportForm,
    RenameForm,
    SearchForm,
    TransferForm,
    TransferRequestForm,
    UnfreezeForm,
)
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.models import Collective, level_label
from qnwmh.core.access import admin_required
from qnwmh.core.downloads import attachment
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.core.spreadsheets import safe_row
from qnwmh.core.views import apply_errors, error_page


def _collective(request, code) -> Collective:
    return get_visible_or_404(
        Collective.objects.select_related("unit", "user"), request.user, code=code
    )


@admin_required
def collective_list(request):
    form = SearchForm(request.GET or None, user=request.user)
    collectives = Collective.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        collectives = queries.search(collectives, data["q"])
        if queries.name_too_short(data["q"]):
            form.add_error("q", _("Type at least two characters of the name."))
        if data["unit"]:
            collectives = queries.in_unit_subtree(collectives, data["unit"])
        if data["ownership"]:
            collectives = collectives.filter(ownership=data["ownership"])
        if data["data_ok"]:
            collectives = collectives.filter(data_ok=data["data_ok"] == "yes")
    page = paginate(queries.for_list_page(collectives.order_by("code")), request.GET)
    # Reversed once for the page: a code is a slug, which the URL carries unchanged.
    head, tail = reverse("collectives:detail", args=["0"]).rsplit("0", 1)
    rows = [_list_row(collective, f"{head}{collective.code}{tail}") for collective in page.items]
    return render(request, "collectives/list.html", {"form": form, "page": page, "rows": rows})


def _list_row(collective, url: str) -> dict:
    """A row of the list as the template prints it, in plain values: the template engine
    resolves a dict key much faster than a model attribute, and the former names need no inner
    loop (docs/performance.md §3)."""
    former_names, titles = queries.list_page_extras(collective)
    return {
        "url": url,
        "code": collective.code,
        "name": collective.name,
        "former_names": "；".join(former_names),
        "unit": collective.unit.name,
        "ownership": collective.get_ownership_display(),
        # Each title a badge followed by a space, as the template wrote them in a loop.
        "titles": format_html_join(
            "", '<span class="badge">{} {}</span> ', ((y, level_label(lv)) for y, lv in titles)
        ),
        "data_ok": collective.data_ok,
        "frozen_reasons": collective.frozen_reasons,
    }


def _render_create(
    request, form, *, candidates=None, existing=None, transfer_form=None, status=200
):
    context = {
        "form": form,
        "candidates": candidates,
        "existing": existing,
        "transfer_form": transfer_form,
    }
    return render(request, "collectives/create.html", context, status=status)


@admin_required
def collective_create(request):
    """New collective: the near-duplicates are shown first; "not the same collective, create
    anyway" sends the form again with `confirmed`, and only then is a code made."""
    candidates_url = reverse("collectives:candidates")
    if request.method != "POST":
        form = CollectiveForm(
            user=request.user,
            candidates_url=candidates_url,
            initial={"unit": request.user.unit, "line": request.user.unit.line},
        )
        return _render_create(request, form)
    form = CollectiveForm(request.POST, user=request.user, candidates_url=candidates_url)
    if not form.is_valid():
        return _render_create(request, form, status=400)
    data = form.cleaned_data
    # "confirmed" comes from the "not the same collective, create anyway" button.
    if not request.POST.get("confirmed"):
        candidates = duplicates.near_duplicates(data["name"], request.user)
        if candidates:
            return _render_create(request, form, candidates=candidates)
    try:
        collective, one_time_password = domain.create_collective(request.user, **data)
    except DomainError as exc:
        apply_errors(form, exc)
        existing = _existing_in_sight(request, exc.extra.get("existing_code"))
        return _render_create(
            request,
            form,
            existing=existing,
            transfer_form=_transfer_offer(request, exc, data),
            status=exc.status,
        )
    return _one_time_password_page(request, collective, one_time_password, created=True)


def _transfer_offer(request, exc, data):
    """Outside the caller's subtree the 409 names no code, only a transfer request (issue 10
    item 10): the form for it, filled with the existing name and the unit typed."""
    hint = exc.extra.get("transfer_request")
    if not hint:
        return None
    initial = {"name": hint["name"], "unit": data["unit"].pk}
    return TransferRequestForm(user=request.user, initial=initial)


def _existing_in_sight(request, code):
    if not code:
        return None
    return Collective.objects.visible_to(request.user).filter(code=code).first()


@admin_required
def candidates(request):
    """htmx partial: near-duplicates of the name being typed."""
    name = request.GET.get("name", "")[:200]
    found = duplicates.near_duplicates(name, request.user) if name.strip() else []
    return render(request, "collectives/_candidates.html", {"candidates": found})


def _one_time_password_page(request, collective, one_time_password, *, created=False):
    context = {
        "collective": collective,
        "one_time_password": one_time_password,
        "created": created,
    }
    response = render(request, "collectives/one_time_password.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _render_detail(request, collective, status=200, **forms):
    user = request.user
    defaults = {
        "rename_form": RenameForm(initial={"name": collective.name}),
        "details_form": DetailsForm(
            initial={f: getattr(collective, f) for f in domain.DETAIL_FIELDS}
        ),
        "transfer_form": TransferForm(user=user, initial={"unit": collective.unit_id}),
        "unfreeze_form": UnfreezeForm(
            initial={
                f: getattr(collective, f) for f in ("line", "ownership", *domain.DETAIL_FIELDS)
            }
        ),
    }
    context = {
        "collective": collective,
        "former_names": collective.former_names.all(),
        "titles": collective.titles.all(),
        "account": collective.user,
        "account_badge": account_status(collective.user),
        "missing": frozen.missing_fields(collective) if not collective.data_ok else {},
        "has_registrations": collective.registrations.exists(),
        **defaults,
        **forms,
    }
    return render(request, "collectives/detail.html", context, status=status)


@admin_required
def collective_detail(request, code):
    return _render_detail(request, _collective(request, code))


def _form_action(request, code, form_class, form_name, action, **form_kwargs):
    """POST a form of the detail page: on success back to the detail, else the detail with the
    form's errors next to its fields."""
    collective = _collective(request, code)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            result = action(collective, form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("collectives:detail", code=getattr(result, "code", code))
    return _render_detail(request, collective, status=400, **{form_name: form})


@admin_required
@require_POST
def rename(request, code):
    return _form_action(
        request,
        code,
        RenameForm,
        "rename_form",
        lambda c, data: domain.rename(request.user, c, data["name"]),
    )


@admin_required
@require_POST
def update_details(request, code):
    return _form_action(
        request,
        code,
        DetailsForm,
        "details_form",
        lambda c, data: domain.update_details(request.user, c, **data),
    )


@admin_required
@require_POST
def transfer(request, code):
    return _form_action(
        request,
        code,
        TransferForm,
        "transfer_form",
        lambda c, data: domain.transfer(request.user, c, data["unit"]),
        user=request.user,
    )


@admin_required
@require_POST
def unfreeze(request, code):
    def action(collective, data):
        given = {field: value for field, value in data.items() if value}
        return frozen.unfreeze(request.user, collective, **given)

    return _form_action(request, code, UnfreezeForm, "unfreeze_form", action)


@admin_required
@require_POST
def reset_password(request, code):
    collective = _collective(request, code)
    try:
        one_time_password = domain.reset_password(request.user, collective)
    except DomainError as exc:
        return error_page(request, exc)
    return _one_time_password_page(request, collective, one_time_password)


@admin_required
@require_POST
def unlock(request, code):
    collective = _collective(request, code)
    try:
        domain.unlock(request.user, collective)
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("collectives:detail", code=code)


@admin_required
@require_POST
def delete(request, code):
    collective = _collective(request, code)
    try:
        frozen.delete_frozen(request.user, collective)
    except DomainError as exc:
        return error_page(request, exc)
    return redirect(f"{reverse('collectives:list')}?data_ok=no")


@admin_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(request.user, form.cleaned_data["file"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("jobs:detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "headers": legacy.HEADERS}
    return render(request, "collectives/import.html", context, status=status)


@admin_required
def import_template(request):
    """An empty CSV with the expected headers (UTF-8 with BOM, so Excel shows the Chinese)."""
    header = ["集体名称", "集体编码/用户名", "归口单位", "条块", "行业", "性质", "号长", "联系电话"]
    header += ["所获称号", "获得年份"]
    example = ["武陵区某某医院急诊科", "", "武陵区团委", "地方", "卫生健康", "公有", "张青"]
    example += ["0736-1234567", "常德市青年文明号", "2021"]
    body = "\r\n".join(",".join(safe_row(row)) for row in (header, example)) + "\r\n"
    return attachment(io.BytesIO(body.encode("utf-8-sig")), "集体导入模板.csv", "text/csv")


def account_status(account) -> tuple[str, str]:
    """(badge class, label) of a collective's login, for the templates."""
    if account is None:
        return "warn", _("No login yet")
    if not account.is_active:
        return "bad", _("Disabled")
    if account.is_locked():
        return "bad", _("Locked")
    if not account.has_usable_password():
        return "warn", _("No password issued yet")
    if account.must_change_password:
        return "warn", _("One-time password not yet changed")
    return "ok", _("Active")


def _render_transfer_requests(request, *, form=None, decline_forms=None, status=200):
    found = list(transfers.visible(request.user)[:200])
    decline_forms = decline_forms or {}
    rows = [
        {
            "request": t,
            "can_decide": rules.can_decide_transfer(request.user, t),
            "decline_form": decline_forms.get(t.pk) or DeclineForm(prefix=f"d{t.pk}"),
        }
        for t in found
    ]
    context = {"rows": rows, "form": form or TransferRequestForm(user=request.user)}
    return render(request, "collectives/transfer_requests.html", context, status=status)


@admin_required
def transfer_requests(request):
    """转移申请: those the admin's subtree made, and those its unit decides (seeds 000 Q4)."""
    if request.method != "POST":
        return _render_transfer_requests(request)
    form = TransferRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            transfers.request_transfer(
                request.user, name=data["name"], to_unit=data["unit"], reason=data["reason"]
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("collectives:transfer_requests")
    return _render_transfer_requests(request, form=form, status=400)


@admin_required
@require_POST
def transfer_request_accept(request, pk):
    try:
        transfers.accept(request.user, transfers.get(request.user, pk))
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("collectives:transfer_requests")


@admin_required
@require_POST
def transfer_request_decline(request, pk):
    try:
        transfer_request = transfers.get(request.user, pk)
    except DomainError as exc:
        return error_page(request, exc)
    form = DeclineForm(request.POST, prefix=f"d{pk}")
    if form.is_valid():
        try:
            transfers.decline(request.user, transfer_request, form.cleaned_data["reason"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("collectives:transfer_requests")
    return _render_transfer_requests(request, decline_forms={pk: form}, status=400)
