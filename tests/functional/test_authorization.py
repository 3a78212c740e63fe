"""Every route × every role against the expected answer; a route without an entry fails."""

import pytest

from lean.core.extensions import db
from lean.models.base import utcnow
from lean.shared.uploads import CheckedUpload
from tests.conftest import TINY_PNG, make_kaizen, make_user, publish_world_card, theme

ROLES = ["anonymous", "member", "supervisor", "coordinator", "admin", "foreign_member"]
# Beyond the world's own users: a supervisor and a coordinator of the other organization
# answer as its member does, a member of the organization's other team as the team's member
# does, unless an entry names them (see expected_status).
EXTRA_ROLES = ["foreign_supervisor", "foreign_coordinator", "other_team_member"]
FALLBACK_ROLE = {
    "foreign_supervisor": "foreign_member",
    "foreign_coordinator": "foreign_member",
    "other_team_member": "member",
}
LOGIN = 302  # anonymous users are sent to the login page

# The team's members and supervisors change; others of the organization may not; another
# organization does not even learn that the object exists.
WRITERS = {
    "anonymous": LOGIN,
    "member": 303,
    "supervisor": 303,
    "coordinator": 403,
    "admin": 403,
    "foreign_member": 404,
    "other_team_member": 403,
}
# Only the team's supervisors and the organization's coordinators.
SUPERVISORS = {**WRITERS, "member": 403, "supervisor": 303, "coordinator": 303}

# Installation-wide pages: admins only (coordinators neither).
ADMINS_ONLY = {"anonymous": LOGIN, "*": 403}
# An organization's management: its coordinators and admins; an empty form answers 422.
MANAGERS = {
    "anonymous": LOGIN,
    "member": 403,
    "supervisor": 403,
    "coordinator": 422,
    "admin": 422,
    "foreign_member": 404,
}

# Pages of the user's own organization (none in the URL): coordinators and admins, the other
# organization's coordinator included.
COORDINATORS_OWN = {**ADMINS_ONLY, "coordinator": 200, "admin": 200, "foreign_coordinator": 200}

# (endpoint, method): {role: status}; "*" covers the roles not named.
EXPECTED = {
    ("site.healthz", "GET"): {"*": 200},
    ("site.theme_styles", "GET"): {"*": 200},
    ("accessibility.statement", "GET"): {"*": 200},
    ("site.favicon", "GET"): {"*": 301},
    ("auth.login", "GET"): {"anonymous": 200, "*": 302},
    ("auth.login", "POST"): {"anonymous": 422, "*": 302},
    ("auth.logout", "POST"): {"anonymous": LOGIN, "*": 303},
    ("auth.change_password", "GET"): {"anonymous": LOGIN, "*": 200},
    ("auth.change_password", "POST"): {"anonymous": LOGIN, "*": 422},
    ("auth.set_language", "POST"): {"*": 303},
    ("boards.index", "GET"): {"*": 302},
    ("boards.team_picker", "GET"): {"anonymous": LOGIN, "*": 200},
    ("boards.show", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    # Work-in-progress limits: the team's supervisors, the organization's coordinators and
    # admins; an empty form is valid (no limits).
    ("boards.wip_limits", "GET"): {
        **SUPERVISORS,
        "supervisor": 200,
        "coordinator": 200,
        "admin": 200,
    },
    ("boards.wip_limits", "POST"): {**SUPERVISORS, "admin": 303},
    # Importing cards from Planner or Trello: who sets the board's limits. Without a file
    # waiting, the preview and its confirmation send back to the upload form.
    ("boards.board_import", "GET"): {
        **SUPERVISORS,
        "supervisor": 200,
        "coordinator": 200,
        "admin": 200,
    },
    ("boards.board_import", "POST"): {
        **SUPERVISORS,
        "supervisor": 422,
        "coordinator": 422,
        "admin": 422,
    },
    ("boards.board_import_preview", "GET"): {**SUPERVISORS, "admin": 303},
    ("boards.board_import_preview", "POST"): {**SUPERVISORS, "admin": 303},
    ("boards.board_import_confirm", "POST"): {**SUPERVISORS, "admin": 303},
    ("boards.board_import_cancel", "POST"): {**SUPERVISORS, "admin": 303},
    ("boards.quick_add", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 303,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.move", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 303,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.choose_stage", "GET"): {
        "anonymous": LOGIN,
        "member": 200,
        "supervisor": 200,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.place", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 303,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.detail", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("boards.edit", "GET"): {
        "anonymous": LOGIN,
        "member": 200,
        "supervisor": 200,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.edit", "POST"): {
        "anonymous": LOGIN,
        "member": 422,
        "supervisor": 422,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("boards.archive", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.restore", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 403,
        "foreign_member": 404,
    },
    # -- copies and card templates: writers copy and use; supervisors and coordinators keep --
    ("boards.copy", "POST"): WRITERS,
    ("boards.card_template_list", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("boards.new_card_template", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("boards.new_card_template", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("boards.edit_card_template", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("boards.edit_card_template", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("boards.remove_card_template", "POST"): SUPERVISORS,
    ("boards.describe_schedule", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("boards.add_from_template", "POST"): WRITERS,
    ("boards.use_card_template", "POST"): WRITERS,
    # -- a card's checklist: whoever may edit the card; without JavaScript a redirect back --
    ("boards.checklist", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 303},
    ("boards.add_checklist_item", "POST"): WRITERS,
    ("boards.edit_checklist_item", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("boards.edit_checklist_item", "POST"): WRITERS,
    ("boards.tick_checklist_item", "POST"): WRITERS,
    ("boards.move_checklist_item", "POST"): WRITERS,
    ("boards.remove_checklist_item", "POST"): WRITERS,
    ("kaizen.log", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.create", "POST"): WRITERS,
    ("kaizen.edit", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("kaizen.edit", "POST"): {**WRITERS, "member": 422, "supervisor": 422},
    ("kaizen.delete", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("kaizen.delete", "POST"): WRITERS,
    ("kaizen.deleted", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("kaizen.restore", "POST"): SUPERVISORS,
    ("kaizen.promote", "POST"): WRITERS,
    ("kaizen.export_team", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.export_organization", "GET"): {
        "anonymous": LOGIN,
        "coordinator": 200,
        "foreign_coordinator": 200,
        "*": 403,
    },
    ("kaizen.attachment", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.thumbnail", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    # -- a card's photos and documents (served by kaizen.attachment and kaizen.thumbnail) --
    ("boards.add_file", "POST"): {**WRITERS, "member": 422, "supervisor": 422},
    ("boards.remove_file", "POST"): WRITERS,
    ("boards.set_cover", "POST"): WRITERS,
    ("boards.describe_file", "POST"): WRITERS,
    # -- onboarding: invitations and password resets --
    ("auth.invite", "GET"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 200,
        "admin": 200,
        "foreign_member": 404,
    },
    ("auth.invite", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 200,
        "admin": 200,
        "foreign_member": 404,
    },
    ("auth.create_reset", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 200,
        "admin": 200,
        "foreign_member": 404,
    },
    # Public: the one-time link is the permission, whoever is logged in.
    ("auth.accept_invitation", "GET"): {"*": 200},
    ("auth.accept_invitation", "POST"): {"*": 303},
    ("auth.request_reset", "GET"): {"*": 200},
    ("auth.request_reset", "POST"): {"*": 200},
    ("auth.reset_password", "GET"): {"*": 200},
    ("auth.reset_password", "POST"): {"*": 303},
    # -- onboarding: invitations for the people an import made --
    ("auth.new_people", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("auth.send_invitations", "POST"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("auth.pending_invitations", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    # Personal access tokens: one's own for everyone; the member's token is revoked by them
    # and their organization's managers; the organization's list is its managers'.
    ("tokens.personal", "GET"): {"anonymous": LOGIN, "*": 200},
    ("tokens.personal", "POST"): {"anonymous": LOGIN, "*": 422},
    ("tokens.revoke", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 403,
        "coordinator": 303,
        "admin": 303,
        "foreign_member": 404,
        "other_team_member": 403,
    },
    ("tokens.organization", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    # Without e-mail the new link is shown to copy (200); taking back goes back to the list.
    ("auth.resend_invitation", "POST"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("auth.revoke_invitation", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    # Public: the one-time link is the permission, whoever is logged in.
    ("auth.welcome", "GET"): {"*": 200},
    ("auth.welcome", "POST"): {"*": 303},
    # -- webhooks: the organization's managers; an empty form is refused --
    ("webhooks.endpoints", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("webhooks.new_endpoint", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("webhooks.new_endpoint", "POST"): MANAGERS,
    ("webhooks.endpoint", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("webhooks.edit_endpoint", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("webhooks.edit_endpoint", "POST"): MANAGERS,
    ("webhooks.enable_endpoint", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    ("webhooks.delete_endpoint", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("webhooks.delete_endpoint", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    ("webhooks.resend", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    # -- single sign-on (its provider's address answers nothing here: 502) --
    ("auth.sign_on_start", "GET"): {"*": 502},
    ("auth.sign_on_callback", "GET"): {"*": 200},  # nothing pending: the form says so after
    ("auth.sign_on_finish", "POST"): {"*": 400},
    ("auth.choose_team", "GET"): {"anonymous": LOGIN, "*": 200},
    # Only someone of the organization in no team yet joins one by themselves.
    ("auth.join_team", "POST"): {
        "anonymous": LOGIN,
        "coordinator": 303,
        "admin": 303,
        "foreign_member": 404,
        "*": 403,
    },
    ("auth.new_sign_on_provider", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("auth.new_sign_on_provider", "POST"): MANAGERS,
    ("auth.edit_sign_on_provider", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    # An empty post (Flask-WTF reads the stored values then) changes nothing.
    ("auth.edit_sign_on_provider", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    ("auth.sign_on_passwords", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    # -- onboarding: CSV import --
    # The organization's coordinators and admins; an empty upload is refused with a message.
    ("admin.import_users", "GET"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 200,
        "admin": 200,
        "foreign_member": 404,
    },
    ("admin.import_users", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 422,
        "admin": 422,
        "foreign_member": 404,
    },
    ("admin.confirm_import", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 403,
        "coordinator": 422,
        "admin": 422,
        "foreign_member": 404,
    },
    # -- administration --
    ("admin.index", "GET"): {
        **ADMINS_ONLY,
        "coordinator": 302,
        "admin": 302,
        "foreign_coordinator": 302,
    },
    ("admin.organizations", "GET"): {**ADMINS_ONLY, "admin": 200},
    ("admin.organizations", "POST"): {**ADMINS_ONLY, "admin": 422},
    ("admin.edit_organization", "POST"): {**ADMINS_ONLY, "admin": 422},
    ("admin.organization", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("admin.create_team", "POST"): MANAGERS,
    ("admin.create_user", "POST"): MANAGERS,
    ("admin.team", "GET"): {**MANAGERS, "supervisor": 200, "coordinator": 200, "admin": 200},
    ("admin.edit_team", "POST"): MANAGERS,
    ("admin.set_member", "POST"): {**MANAGERS, "supervisor": 422},
    ("admin.change_role", "POST"): {
        **MANAGERS,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 303,
    },
    ("admin.remove_member", "POST"): {
        **MANAGERS,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 303,
    },
    ("admin.user", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("admin.user", "POST"): MANAGERS,
    ("admin.anonymise_user", "POST"): {**ADMINS_ONLY, "admin": 303},
    ("admin.themes", "GET"): {**ADMINS_ONLY, "admin": 200},
    ("admin.themes", "POST"): {**ADMINS_ONLY, "admin": 422},
    ("admin.theme", "GET"): {**ADMINS_ONLY, "admin": 200},
    ("admin.theme", "POST"): {**ADMINS_ONLY, "admin": 422},
    ("admin.add_focus_area", "POST"): {**ADMINS_ONLY, "admin": 422},
    ("admin.delete_theme", "POST"): {**ADMINS_ONLY, "admin": 303},
    ("admin.audit", "GET"): COORDINATORS_OWN,
    ("admin.failed_mails", "GET"): COORDINATORS_OWN,
    ("profile.show", "GET"): {"anonymous": LOGIN, "*": 200},
    ("profile.show", "POST"): {"anonymous": LOGIN, "*": 422},
    ("profile.download_data", "GET"): {"anonymous": LOGIN, "*": 200},
    # -- stand-ups --
    # Run by the team's supervisors and the organization's coordinators; members follow and
    # add notes; an empty form answers 422.
    ("standups.current", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("standups.start", "POST"): {**SUPERVISORS, "admin": 403},
    ("standups.move_card", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.block_card", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.unblock_card", "POST"): SUPERVISORS,
    ("standups.change_owner", "POST"): SUPERVISORS,
    ("standups.change_due_date", "POST"): SUPERVISORS,
    ("standups.record_decision", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.escalate", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.add_note", "POST"): {
        **WRITERS,
        "member": 422,
        "supervisor": 422,
        "coordinator": 422,
    },
    # Showing everyone another card: the stand-up's leaders; no card named answers 422.
    ("standups.show_card", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.finish", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("standups.finish", "POST"): SUPERVISORS,
    ("standups.record", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("standups.history", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("standups.since", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("standups.settings", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("standups.settings", "POST"): {**SUPERVISORS, "supervisor": 422, "coordinator": 422},
    ("standups.escalations", "GET"): {
        "anonymous": LOGIN,
        "coordinator": 200,
        "foreign_coordinator": 200,
        "*": 403,
    },
    ("standups.answer", "POST"): {
        **MANAGERS,
        "coordinator": 422,
        "admin": 403,
    },
    # -- A3 sheets (the peer coach from another organization: tests/functional/test_a3_access.py)
    ("a3.sheet", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("a3.start", "POST"): WRITERS,
    ("a3.section", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 303},
    ("a3.edit_section", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("a3.edit_section", "POST"): WRITERS,
    ("a3.add_item", "POST"): WRITERS,
    ("a3.edit_item", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("a3.edit_item", "POST"): {**WRITERS, "member": 422, "supervisor": 422},
    ("a3.toggle_item", "POST"): WRITERS,
    ("a3.move_item", "POST"): WRITERS,
    ("a3.remove_item", "POST"): WRITERS,
    ("a3.add_comment", "POST"): WRITERS,
    ("a3.resolve_comment", "POST"): WRITERS,
    ("a3.name_peer_coach", "POST"): {
        **WRITERS,
        "member": 403,
        "supervisor": 403,
        "coordinator": 303,
    },
    ("a3.print_view", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("a3.print_pdf", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("a3.team_list", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("a3.organization_list", "GET"): {
        "anonymous": LOGIN,
        "coordinator": 200,
        "admin": 200,
        "foreign_coordinator": 200,
        "*": 403,
    },
    # ---- dashboard: the organization's coordinators and admins; a foreign member is a
    # member of their own organization, so 403 like any member.
    ("dashboard.index", "GET"): COORDINATORS_OWN,
    ("dashboard.export_teams", "GET"): COORDINATORS_OWN,
    ("dashboard.export_improvements", "GET"): COORDINATORS_OWN,
    ("dashboard.report", "GET"): COORDINATORS_OWN,
    ("dashboard.report_pdf", "GET"): COORDINATORS_OWN,
    # -- network: a practice of the world's organization, published from its card in Done --
    ("network.library", "GET"): {"anonymous": LOGIN, "*": 200},
    ("network.practice", "GET"): {"anonymous": LOGIN, "*": 200},
    ("network.dashboard", "GET"): {"anonymous": LOGIN, "*": 200},
    ("network.notices", "GET"): {"anonymous": LOGIN, "*": 200},
    ("network.read_notices", "POST"): {"anonymous": LOGIN, "*": 303},
    ("network.name_sharing", "POST"): {"anonymous": LOGIN, "*": 303},
    # Whether supervisors publish: the organization's coordinators, and admins.
    ("network.settings", "GET"): {**MANAGERS, "coordinator": 200, "admin": 200},
    ("network.settings", "POST"): {**MANAGERS, "coordinator": 303, "admin": 303},
    # Coordinators publish (supervisors only where the organization allows it, off here).
    ("network.publish_improvement", "GET"): {**MANAGERS, "coordinator": 200, "admin": 403},
    ("network.publish_improvement", "POST"): {**MANAGERS, "admin": 403},
    ("network.publish_kaizen", "GET"): {**MANAGERS, "coordinator": 200, "admin": 403},
    ("network.publish_kaizen", "POST"): {**MANAGERS, "admin": 403},
    # A published practice is readable by all: others may not change it (403, not 404).
    ("network.update", "GET"): {**ADMINS_ONLY, "coordinator": 200},
    ("network.update", "POST"): {**ADMINS_ONLY, "coordinator": 422},
    ("network.withdraw", "POST"): {**ADMINS_ONLY, "coordinator": 303},
    ("network.comment", "POST"): {"anonymous": LOGIN, "*": 303},
    # Only another organization adopts, into a team of its own.
    # A coordinator writes on no board, so has no team to adopt into.
    ("network.adopt", "POST"): {
        **ADMINS_ONLY,
        "foreign_member": 303,
        "foreign_supervisor": 303,
        "foreign_coordinator": 422,
    },
    # Card comments: the organization talks on its cards; only the author changes a comment
    # (the member wrote the one these routes use); each inbox is its owner's alone.
    ("conversation.add_comment", "POST"): {
        "anonymous": LOGIN,
        "foreign_member": 404,
        "*": 303,
    },
    ("conversation.edit_comment", "GET"): {
        "anonymous": LOGIN,
        "member": 200,
        "foreign_member": 404,
        # Someone else's comment, though they read the card.
        "other_team_member": 403,
        "*": 403,
    },
    ("conversation.edit_comment", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "foreign_member": 404,
        # Someone else's comment, though they read the card.
        "other_team_member": 403,
        "*": 403,
    },
    ("conversation.delete_comment", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "foreign_member": 404,
        # Someone else's comment, though they read the card.
        "other_team_member": 403,
        "*": 403,
    },
    ("conversation.mention_suggestions", "GET"): {
        "anonymous": LOGIN,
        "foreign_member": 404,
        "*": 200,
    },
    ("conversation.follow", "POST"): {"anonymous": LOGIN, "foreign_member": 404, "*": 303},
    ("conversation.inbox", "GET"): {"anonymous": LOGIN, "*": 200},
    ("conversation.bell", "GET"): {"anonymous": LOGIN, "*": 200},
    ("conversation.my_work", "GET"): {"anonymous": LOGIN, "*": 200},
    ("search.results", "GET"): {"anonymous": LOGIN, "*": 200},
    ("conversation.mark_read", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "other_team_member": 404,  # another person's notification
        "*": 404,
    },
    ("conversation.mark_all_read", "POST"): {"anonymous": LOGIN, "*": 303},
    ("conversation.set_digest", "POST"): {"anonymous": LOGIN, "*": 303},
    # Undo a move: those who may move the card (the empty form names no move: refused, 303).
    ("boards.undo_move", "POST"): WRITERS,
    # Calendar feeds need no login: the secret in the address is the key (a valid one here).
    ("calendar.person_feed", "GET"): {"*": 200},
    ("calendar.team_feed", "GET"): {"*": 200},
    ("calendar.show_person_address", "POST"): {"anonymous": LOGIN, "*": 303},
    ("calendar.renew_person_address", "POST"): {"anonymous": LOGIN, "*": 303},
    # A team's feed address is for its members; its supervisors renew it.
    ("calendar.team_calendar", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("calendar.show_team_address", "POST"): WRITERS,
    ("calendar.renew_team_address", "POST"): {**WRITERS, "member": 403},
    # The JSON API: a login cookie never authorizes it (tests/functional/test_api*.py test it
    # with tokens); its description and the page of it are public.
    ("api-docs.openapi_json", "GET"): {"*": 200},
    ("api_docs.page", "GET"): {"*": 200},
    ("improvements.list_improvements", "GET"): {"*": 401},
    ("improvements.get_improvement", "GET"): {"*": 401},
    ("improvements.create_improvement", "POST"): {"*": 401},
    ("improvements.edit_improvement", "PATCH"): {"*": 401},
    ("improvements.move_improvement", "POST"): {"*": 401},
    ("improvements.comment_improvement", "POST"): {"*": 401},
    ("events.list_events", "GET"): {"*": 401},
    ("organizations.list_organizations", "GET"): {"*": 401},
    ("organizations.get_organization", "GET"): {"*": 401},
    ("teams.list_teams", "GET"): {"*": 401},
    ("teams.get_team", "GET"): {"*": 401},
    ("kaizens.list_kaizens", "GET"): {"*": 401},
    ("a3-sheets.list_a3_sheets", "GET"): {"*": 401},
    ("a3-sheets.get_a3_sheet", "GET"): {"*": 401},
    ("stand-ups.list_standups", "GET"): {"*": 401},
    ("metrics.get_metrics", "GET"): {"*": 401},
    ("practices.list_practices", "GET"): {"*": 401},
}
# Served by Flask itself for anyone.
EXEMPT = {"static"}


def routes_of(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_expected_answer(app):
    missing = [
        f"{rule.endpoint} {method}"
        for rule, method in routes_of(app)
        if (rule.endpoint, method) not in EXPECTED
    ]
    assert missing == [], f"add these routes to EXPECTED: {missing}"


def form_for(endpoint: str) -> dict:
    """A valid submission where the route needs one, so the answer shows the permission."""
    return {
        "boards.quick_add": {"title": "Uusi idea", "theme_id": str(theme().id)},
        "boards.move": {"stage": "plan"},
        "boards.place": {"stage": "plan", "after": ""},
        "kaizen.create": {
            "title": "Uusi",
            "before": "a",
            "after": "b",
            "theme_id": str(theme().id),
        },
        "auth.set_language": {"language": "en"},
        "auth.invite": {"email": "kutsuttu@example.fi", "team": "", "role": "member"},
        "auth.accept_invitation": {
            "name": "Kutsuttu",
            "password": "kolme-karhua-metsassa",
            "confirm": "kolme-karhua-metsassa",
            "language": "fi",
        },
        "auth.request_reset": {"email": "member@example.fi"},
        "auth.reset_password": {
            "new_password": "kolme-karhua-metsassa",
            "confirm": "kolme-karhua-metsassa",
        },
        "auth.welcome": {
            "new_password": "kolme-karhua-metsassa",
            "confirm": "kolme-karhua-metsassa",
        },
        "admin.change_role": {"role": "supervisor"},
        "standups.finish": {"version": "1"},
        "a3.edit_section": {"version": "1", "background": "Tausta"},
        "a3.add_item": {"text": "Miksi jono kasvaa?"},
        "a3.add_comment": {"body": "Mistä luvut ovat?"},
        "a3.name_peer_coach": {"email": "foreign@example.fi"},
        "conversation.add_comment": {"body": "Hyvä idea"},
        "conversation.edit_comment": {"body": "Hyvä idea, kokeillaan"},
        "boards.add_checklist_item": {"text": "Kysy palaute"},
        "boards.edit_checklist_item": {"text": "Kysy palautetta", "version": "1"},
        "boards.tick_checklist_item": {"done": "1"},
        "boards.move_checklist_item": {"direction": "down"},
        "boards.remove_checklist_item": {"version": "1"},
        "boards.set_cover": {"cover": "1"},
        "boards.describe_file": {"description": "Palvelupiste"},
    }.get(endpoint, {})


def card_file_of(world) -> int:
    """A photo on the world's card, for the routes that change a card's files."""
    from lean.boards import files

    photo = files.add_card_file(
        world.users["member"], world.improvement, CheckedUpload("kuva.png", TINY_PNG, "image/png")
    )
    db.session.commit()
    return photo.id


def conversation_values(world) -> dict:
    """The member's comment on their card, and the notification a supervisor's comment gives."""
    from lean.conversation import services as conversation
    from lean.models import Notification

    comment = conversation.comment_on_card(world.users["member"], world.improvement, "Oma", [])
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Esihenkilö", [])
    db.session.commit()  # the member is told of the supervisor's comment
    notification = db.session.query(Notification).filter_by(user_id=world.users["member"].id).one()
    return {"comment_id": comment.id, "notification_id": notification.id}


def a3_values(world, endpoint: str) -> dict:
    """A sheet on the world's card with one item of each kind, for the A3 routes."""
    from lean.a3 import services as a3

    member = world.users["member"]
    sheet = a3.start_a3(member, world.improvement)
    why = a3.add_item(member, sheet, a3.ITEM_KINDS["whys"], {"text": "Koska jono kasvaa"})
    action = a3.add_item(member, sheet, a3.ITEM_KINDS["actions"], {"what": "Yhteinen jono"})
    comment = a3.add_comment(member, sheet, "background", "Mistä luvut ovat?")
    toggled = endpoint == "a3.toggle_item"
    return {
        "sheet_id": sheet.id,
        "section": "background",
        "kind": "actions" if toggled else "whys",
        "item_id": action.id if toggled else why.id,
        "comment_id": comment.id,
    }


def one_time_token(world, endpoint: str) -> str:
    """A fresh, valid link's token for the pages that take one."""
    from lean.auth import links

    coordinator = world.users["coordinator"]
    if endpoint in ("calendar.person_feed", "calendar.team_feed"):
        from lean.calendar import services as calendar

        if endpoint == "calendar.team_feed":
            return calendar.team_token(world.team)
        return calendar.person_token(world.users["member"])
    if endpoint == "auth.accept_invitation":
        return links.create_invitation(coordinator, world.organization, "kutsuttu@example.fi")[1]
    if endpoint == "auth.reset_password":
        return links.create_password_reset(coordinator, world.users["member"])[1]
    if endpoint == "auth.welcome":
        return links.create_user_invitation(coordinator, imported_person(world))[1]
    return "no-token"


def imported_person(world):
    """A person made by an import: an account without a password of their own yet."""
    from lean.admin.imports import unusable_password_hash

    return make_user(
        world.organization, email="tuotu@example.fi", password_hash=unusable_password_hash()
    )


def invitation_of(world) -> int:
    """A pending invitation of an imported person, for resending and taking back."""
    from lean.auth import links

    return links.create_user_invitation(world.users["coordinator"], imported_person(world))[0].id


def card_template_of(world) -> int:
    """A card template of the world's team, kept by its supervisor."""
    from lean.boards import card_templates

    values = card_templates.TemplateValues(
        title="Palautekierros", problem="", theme=theme(), focus_area=None, checklist="Kysely"
    )
    return card_templates.create_template(world.users["supervisor"], world.team, values).id


def checklist_item_of(world) -> int:
    """The first of two items on the world's card's checklist."""
    from lean.boards import checklists

    items = checklists.add_checklist_items(world.users["member"], world.improvement, ["A", "B"])
    return items[0].id


def running_standup(world) -> dict:
    """A stand-up of the world's team with the world's card on its agenda, and a question."""
    from lean.standups import services as standups

    standup, _created = standups.start_standup(world.users["supervisor"], world.team)
    escalation = standups.escalate_card(
        world.users["supervisor"], standup, world.improvement, "Päätetäänkö?"
    )
    return {"standup_id": standup.id, "escalation_id": escalation.id}


def expected_status(endpoint: str, method: str, role: str) -> int:
    expected = EXPECTED[(endpoint, method)]
    for name in (role, FALLBACK_ROLE.get(role)):
        if name in expected:
            return expected[name]
    return expected["*"]


def user_of_role(world, role: str):
    """The world's user of that role, or one made for the extra roles."""
    if role in world.users:
        return world.users[role]
    if role == "foreign_supervisor":
        team = {world.foreign_team: "supervisor"}
        user = make_user(world.foreign_organization, team, email="f.supervisor@example.fi")
    elif role == "foreign_coordinator":
        user = make_user(
            world.foreign_organization, is_coordinator=True, email="f.coordinator@example.fi"
        )
    else:
        user = make_user(world.organization, {world.other_team: "member"}, email="other@example.fi")
    world.users[role] = user
    return user


@pytest.mark.parametrize("role", ROLES + EXTRA_ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_route_answers_role_as_expected(app, world, login, endpoint, method, role):
    rule = next(r for r, m in routes_of(app) if r.endpoint == endpoint and m == method)
    values = {
        "team_id": world.team.id,
        "improvement_id": world.improvement.id,
        "file_format": "csv",
        "token": one_time_token(world, endpoint),
        "organization_id": world.organization.id,
        "user_id": world.users["member"].id,
        "theme_id": theme().id,
    }
    if "sheet_id" in rule.arguments:
        values.update(a3_values(world, endpoint))
    if "kaizen_id" in rule.arguments or "attachment_id" in rule.arguments:
        kaizen = make_kaizen(
            world.team,
            world.users["member"],
            title="Oma kaizen",
            uploads=[CheckedUpload("kuva.png", TINY_PNG, "image/png")],
        )
        values.update(kaizen_id=kaizen.id, attachment_id=kaizen.attachments[0].id)
    if endpoint in ("boards.remove_file", "boards.set_cover", "boards.describe_file"):
        values.update(attachment_id=card_file_of(world))
    if "standup_id" in rule.arguments or "escalation_id" in rule.arguments:
        values.update(running_standup(world))
    if endpoint.startswith("conversation.") and {"comment_id", "notification_id"} & set(
        rule.arguments
    ):
        values.update(conversation_values(world))
    if "link_id" in rule.arguments:
        values.update(link_id=invitation_of(world))
    if "api_token_id" in rule.arguments:
        values.update(api_token_id=api_token_of(world))
    if "provider_id" in rule.arguments:
        values.update(provider_id=sign_on_provider_of(world))
    if "endpoint_id" in rule.arguments or "delivery_id" in rule.arguments:
        values.update(webhook_of(world))
    if "template_id" in rule.arguments or endpoint == "boards.add_from_template":
        values.update(template_id=card_template_of(world))
    if endpoint.startswith("boards.") and "item_id" in rule.arguments:
        values.update(item_id=checklist_item_of(world))
    form = form_for(endpoint)
    if endpoint == "boards.add_from_template":
        form = {"template_id": str(values["template_id"])}
    if endpoint.startswith("network."):
        form = {**form, **network_values(world, values, endpoint)}
    url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    client = app.test_client() if role == "anonymous" else login(user_of_role(world, role))
    if endpoint == "boards.restore":
        world.improvement.archived = True
    if endpoint == "kaizen.restore":
        kaizen.deleted_at = utcnow()
    db.session.commit()
    response = client.open(url, method=method, data=form if method == "POST" else None)
    response.get_data()
    response.close()  # attachments are streamed from files
    expected = expected_status(endpoint, method, role)
    assert response.status_code == expected, f"{role} {method} {url}"


def api_token_of(world) -> int:
    """A personal access token of the world's member."""
    from datetime import date

    from lean.api import services as tokens

    return tokens.create_token(world.users["member"], "Excel", False, date(2027, 1, 1))[0].id


def webhook_of(world) -> dict:
    """A webhook of the world's organization with one delivery, at an address the guard
    refuses (no allow-list here), so that sending it again fails at once."""
    from lean.models.connect import WebhookDelivery
    from lean.models.event import Event
    from lean.webhooks.services import EndpointValues, create_endpoint

    endpoint, _secret = create_endpoint(
        world.users["coordinator"],
        world.organization,
        EndpointValues("Koe", "http://127.0.0.1:9/hook", "standard", None, ["created"]),
    )
    event_id = db.session.scalar(db.select(db.func.min(Event.id)))
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id)
    db.session.add(delivery)
    db.session.flush()
    return {"endpoint_id": endpoint.id, "delivery_id": delivery.id}


def sign_on_provider_of(world) -> int:
    """A provider of the world's organization, at an address where nothing answers."""
    from flask import current_app

    from tests.sign_on_provider import TEST_SIGN_ON_KEY, make_provider

    current_app.config["SIGN_ON_KEY"] = TEST_SIGN_ON_KEY
    return make_provider(world.organization, "http://127.0.0.1:9").id


# ---- network ----------------------------------------------------------------------------


def network_values(world, values: dict, endpoint: str) -> dict:
    """A practice published from the world's card (moved to Done), and the network's forms."""
    practice = publish_world_card(world)
    kaizen = make_kaizen(world.team, world.users["member"], title="Jaettava kaizen")
    values.update(practice_id=practice.id, kaizen_id=kaizen.id)
    return {
        "network.comment": {"body": "Kokeilimme samaa."},
        "network.adopt": {"team_id": str(world.foreign_team.id)},
    }.get(endpoint, {})


# ---- what the conversation routes reveal across organizations ----------------------------


def test_picking_a_person_of_another_organization_neither_names_nor_tells_them(world, login):
    """A forged pick of any user id must not turn the comment form into a name directory."""
    from lean.models import CardComment, Notification

    foreign = world.users["foreign_member"]
    response = login(world.users["member"]).post(
        f"/improvements/{world.improvement.id}/comments",
        data={"body": "Katsokaa tätä", "mention": str(foreign.id)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert foreign.name not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(CardComment).filter_by(body="Katsokaa tätä").count() == 1
    assert db.session.query(Notification).filter_by(user_id=foreign.id).count() == 0
