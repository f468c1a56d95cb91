"""The team page (admins only) and the page an invitation link opens (anyone holding it).

Thin views: a form parses the input, one service of `townsite.setup.team` writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from tenants import schema
from tenants.addresses import current_site_url
from townsite.models import Invitation
from townsite.residents.access import is_last_admin
from townsite.setup import queries, team
from townsite.setup.forms import InvitationLoginForm, InviteForm, NewAccountForm, RoleForm
from townsite.setup.guards import town_admin_with_password

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _team_page(
    request: HttpRequest, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    members = list(queries.staff_members())
    admins = [member for member in members if member.is_town_admin]
    return render(
        request,
        "townsite/setup/team.html",
        {
            "members": [
                (member, RoleForm(prefix=f"m{member.pk}", initial={"role": member.role}))
                for member in members
            ],
            "only_admin": admins[0] if len(admins) == 1 else None,
            "invitations": queries.pending_invitations(),
            "invite_form": invite_form or InviteForm(),
        },
        status=status,
    )


@town_admin_with_password
@require_http_methods(["GET", "POST"])
def team_page(request: HttpRequest) -> HttpResponse:
    """The team; a POST invites someone."""
    if request.method == "GET":
        return _team_page(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            sent = team.invite_staff(
                by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                town_name=schema.request_tenant(request).name,
                absolute_url=current_site_url,
            )
        except team.TeamError as error:
            form.add_error("email", str(error))
        else:
            text = _("An invitation is sent to %(email)s. It is valid for 7 days.") % {
                "email": sent.invitation.email
            }
            if sent.replaced_one:
                text += " " + _("The link sent before no longer works.")
            messages.success(request, text)
            return redirect("townsite:team")
    return _team_page(request, form, status=400)


@town_admin_with_password
@require_POST
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(queries.pending_invitations(), pk=pk)
    try:
        team.revoke_invitation(invitation, by=request.user)  # type: ignore[arg-type]
    except team.InvitationGone:
        messages.error(request, _("This invitation was already used or cancelled."))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is cancelled: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("townsite:team")


@town_admin_with_password
@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Any member of this town (its schema holds only its own people); role `resident` takes
    away staff rights and keeps the account, once confirmed (a POST with `confirm=yes`)."""
    member = get_object_or_404(User, pk=pk, is_active=True)
    form = RoleForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("townsite:team")
    leaves_team = form.cleaned_data["role"] == User.Role.RESIDENT and member.is_moderator
    # Taking someone out of the team is asked twice: this page names them and what they lose.
    # (The last administrator is refused at once by the service, nothing to confirm.)
    if leaves_team and request.POST.get("confirm") != "yes" and not is_last_admin(member):
        return render(
            request,
            "townsite/setup/team_remove.html",
            {"member": member, "role_field": f"{form.prefix}-role"},
        )
    try:
        member = team.change_role(member=member, role=form.cleaned_data["role"], by=request.user)  # type: ignore[arg-type]
    except team.TeamError as error:
        messages.error(request, str(error))
        return redirect("townsite:team")
    if member.role == User.Role.RESIDENT:
        messages.success(
            request,
            _("%(name)s is no longer in the team. Their resident account stays.")
            % {"name": member},
        )
    else:
        messages.success(
            request,
            _("%(name)s now has the role “%(role)s”.")
            % {"name": member, "role": member.get_role_display()},
        )
    if member.pk == request.user.pk and not member.is_town_admin:
        return redirect("home")  # the team page is for administrators only
    return redirect("townsite:team")


# --- Accepting an invitation --------------------------------------------------------------


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The link's token must not travel to another site through the Referer header. Not
    # "no-referrer": browsers would then send "Origin: null" and fail the CSRF check.
    response["Referrer-Policy"] = "same-origin"
    return response


def _gone(request: HttpRequest, state: str) -> HttpResponse:
    return _no_referrer(
        render(request, "townsite/setup/invitation_gone.html", {"state": state}, status=410)
    )


def _welcome(request: HttpRequest, member: User) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to the team! You are now an administrator of this site.")
        if member.is_town_admin
        else _("Welcome to the team! You are now a moderator of this site."),
    )
    return redirect("home")


def _mode(request: HttpRequest, invitation: Invitation) -> str:
    """What the page asks: `confirm` (logged in with the invited address), `other_user`
    (logged in as someone else), `login` (the address has an account here) or `new`."""
    user = request.user
    if user.is_authenticated:
        return "confirm" if user.email.lower() == invitation.email.lower() else "other_user"
    return "login" if queries.account_for_email(invitation.email) else "new"


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = queries.invitation_for_token(token)
    if invitation is None:  # also a link of another town: its invitations are not in this schema
        return _no_referrer(render(request, "townsite/setup/invitation_unknown.html", status=404))
    state = queries.invitation_state(invitation)
    if state != "pending":
        return _gone(request, state)
    mode = _mode(request, invitation)
    form: Any = None
    if mode == "new":
        form = NewAccountForm(request.POST or None, email=invitation.email)
    elif mode == "login":
        form = InvitationLoginForm(request.POST or None, request=request, email=invitation.email)

    if request.method == "POST" and mode != "other_user":
        try:
            if mode == "confirm":
                return _welcome(
                    request,
                    team.accept_invitation_as_member(invitation, request.user),  # type: ignore[arg-type]
                )
            if form.is_valid():
                if mode == "login":
                    member = team.accept_invitation_as_member(invitation, form.user)
                    login(request, member, backend=getattr(form.user, "backend", MODEL_BACKEND))
                else:
                    member = team.accept_invitation_with_new_account(
                        invitation,
                        display_name=form.cleaned_data["display_name"],
                        password=form.cleaned_data["password1"],
                    )
                    login(request, member, backend=MODEL_BACKEND)
                return _welcome(request, member)
        except team.InvitationGone as gone:
            return _gone(request, gone.state)
        except team.TeamError as error:
            if form is None:
                raise
            form.add_error(None, str(error))

    return _no_referrer(
        render(
            request,
            "townsite/setup/invitation.html",
            {"invitation": invitation, "mode": mode, "form": form},
            status=400 if request.method == "POST" else 200,
        )
    )
