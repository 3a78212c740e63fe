"""The organization admin's webhook pages: the endpoints, registering one (its secret shown
once), changing, re-enabling and removing it, and its delivery log with "Send again"."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lean.models import Organization
from lean.models.connect import WebhookEndpoint, WebhookFormat
from lean.shared import policy
from lean.shared.conflicts import EditConflict
from lean.webhooks import guard, labels, queries, services
from lean.webhooks.delivery import wanted_kinds
from lean.webhooks.forms import EndpointDeleteForm, EndpointForm
from lean.webhooks.labels import KIND_GROUPS, TEAMS_KINDS, kind_label

webhooks_blueprint = Blueprint("webhooks", __name__)


def refusal_text(reason: str) -> str:
    """Why the guard refuses an address, in words."""
    return {
        guard.NOT_A_URL: _("Give an address that starts with https://."),
        guard.NOT_HTTPS: _(
            "Webhooks are sent only over https: give an address that starts with https://."
        ),
        guard.UNRESOLVED: _("The address's host could not be found."),
        guard.NOT_PUBLIC: _(
            "The address leads to a private or local network, where webhooks are not sent. "
            "The installation's settings can allow such a host (WEBHOOK_ALLOWED_HOSTS)."
        ),
    }.get(reason, _("Webhooks cannot be sent to this address."))


def disabled_text(endpoint: WebhookEndpoint) -> str:
    return labels.disabled_text(endpoint.disabled_reason)


@webhooks_blueprint.context_processor
def _helpers() -> dict:
    return {"webhook_kind_label": kind_label, "webhook_disabled_text": disabled_text}


def _values(form: EndpointForm) -> services.EndpointValues:
    return services.EndpointValues(
        name=cast(str, form.name.data),
        url=cast(str, form.url.data),
        format=cast(str, form.format.data),
        team_id=form.team_id.data,
        kinds=list(form.kinds.data or []),
    )


def _url_refused(form: EndpointForm) -> bool:
    """Whether the guard refuses the typed address; its words go under the field."""
    allowed = current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ()
    try:
        guard.check(cast(str, form.url.data), allowed)
    except guard.Refused as refused:
        cast(list, form.url.errors).append(refusal_text(refused.reason))
        return True
    return False


def _render_form(organization: Organization, form: EndpointForm, endpoint=None, status=200):
    return render_template(
        "webhooks/endpoint_form.html",
        organization=organization,
        form=form,
        endpoint=endpoint,
        kind_groups=KIND_GROUPS,
        teams_kinds=[kind.value for kind in TEAMS_KINDS],
    ), status


@webhooks_blueprint.get("/admin/organizations/<int:organization_id>/webhooks")
@login_required
def endpoints(organization_id: int):
    """The organization's endpoints, each with its state."""
    organization = policy.organization_for_webhooks(current_user, organization_id)
    return render_template(
        "webhooks/endpoints.html",
        organization=organization,
        endpoints=queries.endpoints_of(organization.id),
    )


@webhooks_blueprint.route(
    "/admin/organizations/<int:organization_id>/webhooks/new", methods=["GET", "POST"]
)
@login_required
def new_endpoint(organization_id: int):
    """Register an endpoint; its signing secret is shown on the answer, once."""
    organization = policy.organization_for_webhooks(current_user, organization_id)
    form = EndpointForm(teams=queries.teams_of(organization.id))
    if not form.is_submitted():
        form.kinds.data = [kind.value for kind in TEAMS_KINDS]
    if not form.validate_on_submit() or _url_refused(form):
        status = 422 if form.is_submitted() else 200
        return _render_form(organization, form, status=status)
    endpoint, secret = services.create_endpoint(current_user, organization, _values(form))
    flash(_("Webhook “%(name)s” registered.", name=endpoint.name), "success")
    return _render_endpoint(endpoint, secret=secret)


def _render_endpoint(endpoint: WebhookEndpoint, secret: str | None = None):
    return render_template(
        "webhooks/endpoint.html",
        organization=endpoint.organization,
        endpoint=endpoint,
        secret=secret,
        kinds=sorted(wanted_kinds(endpoint), key=kind_label),
        log=queries.delivery_log(endpoint.id),
        is_teams=endpoint.format == WebhookFormat.TEAMS,
    )


@webhooks_blueprint.get("/admin/webhooks/<int:endpoint_id>")
@login_required
def endpoint(endpoint_id: int):
    """An endpoint: its settings, its state and its delivery log."""
    return _render_endpoint(policy.webhook_endpoint_for_management(current_user, endpoint_id))


@webhooks_blueprint.route("/admin/webhooks/<int:endpoint_id>/edit", methods=["GET", "POST"])
@login_required
def edit_endpoint(endpoint_id: int):
    endpoint = policy.webhook_endpoint_for_management(current_user, endpoint_id)
    organization = endpoint.organization
    form = EndpointForm(obj=endpoint, teams=queries.teams_of(organization.id))
    if not form.is_submitted():
        form.kinds.data = sorted(wanted_kinds(endpoint))
        form.version.data = services.settings_version(endpoint)
    if not form.validate_on_submit() or _url_refused(form):
        status = 422 if form.is_submitted() else 200
        return _render_form(organization, form, endpoint, status)
    try:
        services.update_endpoint(current_user, endpoint, _values(form), form.version.data or "")
    except EditConflict:
        # What this person typed stays in the form; the saved settings are shown beside it.
        form.form_errors.append(
            _(
                "Someone else saved this webhook while you were editing it. Its saved settings "
                "are on its page; your changes are still below: save again to keep them."
            )
        )
        form.version.data = services.settings_version(endpoint)
        return _render_form(organization, form, endpoint, 409)
    flash(_("Webhook “%(name)s” saved.", name=endpoint.name), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id), 303)


@webhooks_blueprint.post("/admin/webhooks/<int:endpoint_id>/enable")
@login_required
def enable_endpoint(endpoint_id: int):
    """Back in use after it was taken out: the delivery it stopped on goes first."""
    endpoint = policy.webhook_endpoint_for_management(current_user, endpoint_id)
    services.enable_endpoint(current_user, endpoint)
    flash(_("Webhook “%(name)s” is in use again.", name=endpoint.name), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id), 303)


@webhooks_blueprint.route("/admin/webhooks/<int:endpoint_id>/delete", methods=["GET", "POST"])
@login_required
def delete_endpoint(endpoint_id: int):
    """Asks first (GET), then removes the endpoint and its delivery log (POST)."""
    endpoint = policy.webhook_endpoint_for_management(current_user, endpoint_id)
    form = EndpointDeleteForm()
    if not form.validate_on_submit():
        return render_template(
            "webhooks/delete.html", organization=endpoint.organization, endpoint=endpoint
        )
    organization_id, name = endpoint.organization_id, endpoint.name
    services.delete_endpoint(current_user, endpoint)
    flash(_("Webhook “%(name)s” removed.", name=name), "success")
    return redirect(url_for("webhooks.endpoints", organization_id=organization_id), 303)


@webhooks_blueprint.post("/admin/webhooks/deliveries/<int:delivery_id>/resend")
@login_required
def resend(delivery_id: int):
    """Send one delivery again now."""
    delivery = policy.webhook_delivery_for_management(current_user, delivery_id)
    services.resend(delivery)
    flash(_("The event is being sent again."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=delivery.endpoint_id), 303)
