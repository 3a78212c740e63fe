"""Card comments, mention suggestions, follows and the personal inbox: thin views."""

from typing import cast

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lean.conversation import digests, mentions, queries, services
from lean.conversation.forms import CommentForm
from lean.core import fragments
from lean.core.htmx import is_htmx
from lean.core.i18n import current_language
from lean.core.input_checks import id_from
from lean.models import Event, Improvement
from lean.shared import freshness, pieces, policy
from lean.shared.labels import stage_label
from lean.shared.web import announce

conversation_blueprint = Blueprint("conversation", __name__)


@conversation_blueprint.before_request
@login_required
def require_login():
    """Conversation pages are for logged-in users only."""


def _picked_mentions() -> list[int]:
    return [number for value in request.form.getlist("mention") if (number := id_from(value))]


def _render_comments(improvement, form=None, status=200, editing=None, edit_form=None):
    """The card's comments; for htmx also its history, out of band, so both stay current."""
    context = {
        "improvement": improvement,
        "conversation": card_conversation(improvement, form),
        "editing": editing,
        "edit_form": edit_form,
    }
    if not is_htmx():
        return render_template("conversation/comments_page.html", **context), status
    html = render_template("conversation/_comments.html", **context)
    html += render_template("conversation/_history_oob.html", improvement=improvement)
    return html, status


def _said(rendered, message: str, focus: str):
    """The comments after a change, the change said in the page's live region and the focus on
    the comment it concerns (or, after a delete, on the comments' heading)."""
    return announce(make_response(rendered), message, focus=focus)


def _refusal(form, error: mentions.MentionRefused | mentions.MentionIncomplete) -> None:
    form.body.errors = [*form.body.errors, error.message()]


@conversation_blueprint.post("/improvements/<int:improvement_id>/comments")
def add_comment(improvement_id: int):
    """Comment on a card; the people mentioned, its owner and followers are told."""
    improvement = policy.improvement_for_comment(current_user, improvement_id)
    form = CommentForm()
    if not form.validate():
        return _render_comments(improvement, form, 422)
    try:
        mentioned = mentions.resolve(improvement, cast(str, form.body.data), _picked_mentions())
    except (mentions.MentionRefused, mentions.MentionIncomplete) as refused:
        _refusal(form, refused)
        return _render_comments(improvement, form, 422)
    comment = services.comment_on_card(
        current_user, improvement, cast(str, form.body.data), mentioned
    )
    if is_htmx():
        return _said(_render_comments(improvement), _("Comment added."), f"comment-{comment.id}")
    flash(_("Comment added."), "success")
    target = url_for("boards.detail", improvement_id=improvement.id)
    return redirect(f"{target}#comment-{comment.id}", 303)


@conversation_blueprint.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    """The author edits their own comment."""
    comment = policy.card_comment_for_author(current_user, comment_id)
    improvement = comment.improvement
    if request.method == "GET":
        form = CommentForm(body=comment.body)
        return _render_comments(improvement, editing=comment.id, edit_form=form)
    form = CommentForm()
    if not form.validate():
        return _render_comments(improvement, editing=comment.id, edit_form=form, status=422)
    try:
        mentioned = mentions.resolve(improvement, cast(str, form.body.data), _picked_mentions())
    except (mentions.MentionRefused, mentions.MentionIncomplete) as refused:
        _refusal(form, refused)
        return _render_comments(improvement, editing=comment.id, edit_form=form, status=422)
    services.edit_comment(current_user, comment, cast(str, form.body.data), mentioned)
    if is_htmx():
        return _said(_render_comments(improvement), _("Comment saved."), f"comment-{comment.id}")
    flash(_("Comment saved."), "success")
    target = url_for("boards.detail", improvement_id=improvement.id)
    return redirect(f"{target}#comment-{comment.id}", 303)


@conversation_blueprint.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id: int):
    """The author deletes their own comment."""
    comment = policy.card_comment_for_author(current_user, comment_id)
    improvement = comment.improvement
    services.delete_comment(current_user, comment)
    if is_htmx():
        return _said(_render_comments(improvement), _("Comment deleted."), "comments-heading")
    flash(_("Comment deleted."), "success")
    return redirect(url_for("boards.detail", improvement_id=improvement.id) + "#comments", 303)


@conversation_blueprint.get("/improvements/<int:improvement_id>/mentions")
def mention_suggestions(improvement_id: int):
    """People of the card's organization whose name matches what was typed: the list options."""
    improvement = policy.improvement_for_comment(current_user, improvement_id)
    people = mentions.suggestions(improvement, request.args.get("q", ""))
    return render_template("conversation/_mention_options.html", people=people)


@conversation_blueprint.post("/improvements/<int:improvement_id>/follow")
def follow(improvement_id: int):
    """Hear of the comments on this card."""
    improvement = policy.improvement_for_read(current_user, improvement_id)
    if request.form.get("follow") == "0":
        services.unfollow_card(current_user, improvement)
    else:
        services.follow_card(current_user, improvement)
    if is_htmx():
        return _render_comments(improvement)
    return redirect(url_for("boards.detail", improvement_id=improvement.id) + "#comments", 303)


@conversation_blueprint.post("/profile/digest")
def set_digest():
    """The person chooses how often their digest comes by e-mail."""
    digests.set_digest_frequency(current_user, request.form.get("digest_frequency", ""))
    flash(_("Digest setting saved."), "success")
    return redirect(url_for("profile.show") + "#digest", 303)


@conversation_blueprint.get("/me")
def my_work():
    """My cards across teams, my open A3 actions, unanswered comments and my escalations."""
    return render_template(
        "conversation/my_work.html",
        work=queries.my_work(current_user),
        stage_label=stage_label,
        name_shown_to=policy.name_shown_to,
    )


@conversation_blueprint.get("/notifications")
def inbox():
    """The person's notifications, newest first."""
    return render_template(
        "conversation/inbox.html",
        items=queries.inbox(current_user),
        name_shown_to=policy.name_shown_to,
    )


@conversation_blueprint.get("/notifications/bell")
def bell():
    """The bell alone, for an open page's check: 304 while its count is what the page shows."""
    unread = queries.unread_count(current_user)
    tag = bell_etag(unread)
    return freshness.not_modified(tag) or freshness.tagged(
        render_template("conversation/_bell.html", unread=unread, tag=tag, bell_only=True), tag
    )


def bell_etag(unread: int) -> str:
    """The bell shows only the count, in the person's language: that is all its tag covers."""
    return f"bell-{current_user.id}-{unread}-{current_language()}"


@conversation_blueprint.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    """Mark one notification read."""
    notification = policy.notification_for_owner(current_user, notification_id)
    services.mark_notification_read(current_user, notification)
    if request.form.get("on_the_way"):
        return "", 204  # sent while the browser follows the notification's link
    if request.form.get("open"):
        return redirect(notification.path, 303)
    return redirect(url_for("conversation.inbox"), 303)


@conversation_blueprint.post("/notifications/read")
def mark_all_read():
    """Mark every notification read."""
    services.mark_all_notifications_read(current_user)
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("conversation.inbox"), 303)


class CardConversation:
    """What the card page's comment block shows."""

    def __init__(self, improvement, form=None):
        self.comments = queries.card_comments(improvement.id)
        self._mention_names = queries.mention_names(improvement.id)
        self.following = queries.is_following(current_user, improvement)
        self.can_comment = policy.can_comment_on_improvement(current_user, improvement)
        self.form = form or CommentForm(formdata=None)

    def text_of(self, comment) -> Markup:
        """The comment's text with the people it mentions marked."""
        return mentions.highlighted(comment.body, self._mention_names.get(comment.id, ()))


def card_conversation(improvement, form=None) -> CardConversation:
    return CardConversation(improvement, form)


# ---- the conversation's pieces of other pages (lean/shared/pieces.py) ----------------------


@pieces.provides(conversation_blueprint, "conversation.bell")
def bell_piece() -> Markup:
    """The top bar's bell with the unread count: one statement, on every page that shows it."""
    if not current_user.is_authenticated:
        return Markup()
    unread = queries.unread_count(current_user)
    tag = bell_etag(unread)  # the person, the count and the language
    # The poll's interval is in the bell too: a worker whose setting changes keeps no old bell.
    poll_seconds = current_app.config.get("BELL_POLL_SECONDS", 45)
    return fragments.rendered_piece(
        fragments.key("conversation.bell", tag, poll_seconds),
        lambda: render_template("conversation/_bell.html", unread=unread, tag=tag),
    )


@pieces.provides(conversation_blueprint, "conversation.card_comments")
def card_comments_piece(improvement: Improvement) -> Markup:
    """The card page's comments: the list, whether the reader follows, the form."""
    return pieces.partial(
        "conversation/_comments.html",
        improvement=improvement,
        conversation=card_conversation(improvement),
    )


@pieces.provides(conversation_blueprint, "conversation.history_event")
def history_event_piece(event: Event) -> Markup:
    """A comment written, edited or deleted, in the card's history."""
    return pieces.partial("conversation/_history_event.html", event=event)


@pieces.provides(conversation_blueprint, "conversation.digest_setting")
def digest_setting_piece() -> Markup:
    """On the profile page: how often one's notifications come by e-mail."""
    return pieces.partial("conversation/_digest_setting.html")


def init_app(app) -> None:
    from lean.conversation import notifications

    notifications.init_app(app)
    app.register_blueprint(conversation_blueprint)
