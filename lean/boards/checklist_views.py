"""A card's checklist on its page: add, edit, tick, untick, reorder and remove items.

Every action is a plain form: htmx swaps the checklist (#checklist) in place, says what
changed in the page's live region and puts focus on the control just used; without
JavaScript the form posts and the browser comes back to the card page at its checklist.
Whoever may edit the card may change its checklist.
"""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lean.boards import checklists
from lean.boards.checklist_page import (
    AddChecklistItemForm,
    ChecklistConflict,
    ChecklistState,
    EditChecklistItemForm,
)
from lean.boards.queries import improvement_history
from lean.boards.views import boards_blueprint, render_detail
from lean.core.htmx import is_htmx
from lean.core.input_checks import version_from
from lean.models import ChecklistItem, Improvement
from lean.shared import policy
from lean.shared.conflicts import EditConflict
from lean.shared.labels import field_label, stage_label
from lean.shared.web import announce

ITEM = "/improvements/<int:improvement_id>/checklist/<int:item_id>"


def _card_url(improvement: Improvement) -> str:
    return url_for("boards.detail", improvement_id=improvement.id) + "#checklist"


def _item_id(item_id: int) -> str:
    return f"checklist-item-{item_id}"


def _answer(improvement: Improvement, state: ChecklistState, message=None, status=200):
    """The checklist (and the card's history, which the change added to) for htmx; without
    JavaScript a redirect to the card page after a change, or the page itself when refused."""
    if is_htmx():
        html = render_template("boards/_checklist.html", checklist=state)
        if status < 400:
            html += render_template(
                "boards/_history_oob.html",
                history=improvement_history(improvement),
                stage_label=stage_label,
                field_label=field_label,
            )
        response = make_response(html, status)
        if message:
            announce(response, message)
        return response
    if status >= 400:
        return render_detail(improvement, status, checklist=state)
    if message:
        flash(message, "success")
    return redirect(_card_url(improvement), 303)


def _writable_card(improvement_id: int) -> Improvement:
    return policy.improvement_for_write(current_user, improvement_id)


def _item(improvement: Improvement, item_id: int) -> ChecklistItem | None:
    """The card's item; None when someone removed it meanwhile; 404 for an id that was never
    this card's (another card's item, or none at all)."""
    item = checklists.checklist_item(improvement, item_id)
    if item is None and not checklists.was_removed(improvement, item_id):
        abort(404)
    return item


def _removed_meanwhile(improvement: Improvement, item_id: int, your_text: str = ""):
    """The answer to an action on an item someone else removed: said, and what the person
    typed kept in the new item's field."""
    add_form = AddChecklistItemForm(formdata=None, text=your_text)
    state = ChecklistState.load(
        improvement,
        True,
        add_form=add_form,
        conflict=ChecklistConflict(item_id, None, your_text),
    )
    return _answer(improvement, state, status=409)


@boards_blueprint.get("/improvements/<int:improvement_id>/checklist")
def checklist(improvement_id: int):
    """The checklist alone (what an edit's Cancel shows); a browser gets the card page."""
    improvement = policy.improvement_for_read(current_user, improvement_id)
    if not is_htmx():
        return redirect(_card_url(improvement), 303)
    can_write = policy.can_write_team(current_user, improvement.team)
    item_id = request.args.get("item", type=int)
    focus = f"{_item_id(item_id)}-edit" if item_id else None
    state = ChecklistState.load(improvement, can_write, focus=focus)
    return render_template("boards/_checklist.html", checklist=state)


@boards_blueprint.post("/improvements/<int:improvement_id>/checklist")
def add_checklist_item(improvement_id: int):
    """Add an item at the end of the card's checklist."""
    improvement = _writable_card(improvement_id)
    form = AddChecklistItemForm()
    if not form.validate():
        state = ChecklistState.load(improvement, True, add_form=form)
        return _answer(improvement, state, status=422)
    item = checklists.add_checklist_item(current_user, improvement, form.text.data or "")
    state = ChecklistState.load(improvement, True, focus="checklist-new")
    return _answer(improvement, state, _("Item added: %(text)s", text=item.text))


@boards_blueprint.route(f"{ITEM}/edit", methods=["GET", "POST"])
def edit_checklist_item(improvement_id: int, item_id: int):
    """Edit an item's text in place; an edit over someone else's newer one is refused and
    shown, with the editor's text kept."""
    improvement = _writable_card(improvement_id)
    item = _item(improvement, item_id)
    if request.method == "GET":
        if item is None:
            return _removed_meanwhile(improvement, item_id)
        form = EditChecklistItemForm(formdata=None, text=item.text, version=str(item.version))
        state = ChecklistState.load(
            improvement, True, editing=item.id, edit_form=form, focus=f"{_item_id(item.id)}-field"
        )
        return _answer(improvement, state, status=200) if is_htmx() else _page(improvement, state)
    form = EditChecklistItemForm()
    if item is None:
        return _removed_meanwhile(improvement, item_id, form.text.data or "")
    if not form.validate():
        state = ChecklistState.load(improvement, True, editing=item.id, edit_form=form)
        return _answer(improvement, state, status=422)
    text = form.text.data or ""
    try:
        checklists.edit_checklist_item(current_user, item, text, version_from(form.version.data))
    except EditConflict as conflict:
        current = conflict.current
        if current is None:
            return _removed_meanwhile(improvement, item_id, text)
        # Saving again replaces their text with the editor's, knowingly.
        form.version.data = str(current.version)
        state = ChecklistState.load(
            improvement,
            True,
            editing=current.id,
            edit_form=form,
            conflict=ChecklistConflict(current.id, current.text, text),
        )
        return _answer(improvement, state, status=409)
    state = ChecklistState.load(improvement, True, focus=f"{_item_id(item.id)}-edit")
    return _answer(improvement, state, _("Item saved: %(text)s", text=item.text))


def _page(improvement: Improvement, state: ChecklistState):
    """The card page showing the checklist as `state` has it (an item open for editing)."""
    return render_detail(improvement, checklist=state)


@boards_blueprint.post(f"{ITEM}/done")
def tick_checklist_item(improvement_id: int, item_id: int):
    """Tick the item (done=1) or untick it (done=0); asking for what it already is changes
    nothing, so a second click from a stale page does not undo the first."""
    improvement = _writable_card(improvement_id)
    done = request.form.get("done")
    if done not in ("0", "1"):
        abort(400)
    item = _item(improvement, item_id)
    if item is None:
        return _removed_meanwhile(improvement, item_id)
    if done == "1":
        checklists.tick_checklist_item(current_user, item)
        message = _("Item ticked: %(text)s", text=item.text)
    else:
        checklists.untick_checklist_item(current_user, item)
        message = _("Item unticked: %(text)s", text=item.text)
    state = ChecklistState.load(improvement, True, focus=f"{_item_id(item.id)}-done")
    return _answer(improvement, state, message)


@boards_blueprint.post(f"{ITEM}/move")
def move_checklist_item(improvement_id: int, item_id: int):
    """Move the item one place up or down the list."""
    improvement = _writable_card(improvement_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    item = _item(improvement, item_id)
    if item is None:
        return _removed_meanwhile(improvement, item_id)
    checklists.move_checklist_item(current_user, item, -1 if direction == "up" else 1)
    state = ChecklistState.load(improvement, True)
    place = next(number for number, held in enumerate(state.items, 1) if held.id == item.id)
    # Focus stays on the button used, unless the item reached that end of the list.
    at_end = place == 1 if direction == "up" else place == len(state.items)
    other = "down" if direction == "up" else "up"
    state.focus = f"{_item_id(item.id)}-{other if at_end else direction}"
    message = _(
        "Item moved to place %(place)d of %(count)d: %(text)s",
        place=place,
        count=len(state.items),
        text=item.text,
    )
    return _answer(improvement, state, message)


@boards_blueprint.post(f"{ITEM}/delete")
def remove_checklist_item(improvement_id: int, item_id: int):
    """Remove the item, as it read when the page showed it."""
    improvement = _writable_card(improvement_id)
    item = _item(improvement, item_id)
    if item is None:  # removed already: what the person wanted
        state = ChecklistState.load(improvement, True, focus="checklist-new")
        return _answer(improvement, state)
    text = item.text
    shown = [held.id for held in checklists.checklist_items(improvement)]
    version = request.form.get("version")
    try:
        checklists.remove_checklist_item(
            current_user, item, version_from(version) if version is not None else None
        )
    except EditConflict as conflict:
        current = conflict.current
        if current is None:
            return _answer(improvement, ChecklistState.load(improvement, True))
        state = ChecklistState.load(
            improvement,
            True,
            conflict=ChecklistConflict(current.id, current.text, "", removing=True),
            focus=None,
        )
        return _answer(improvement, state, status=409)
    # Focus goes to the next item's checkbox, else the one before, else the new item field.
    index = shown.index(item_id)
    rest = shown[index + 1 :] or shown[:index][-1:]
    focus = f"{_item_id(rest[0])}-done" if rest else "checklist-new"
    state = ChecklistState.load(improvement, True, focus=focus)
    return _answer(improvement, state, _("Item removed: %(text)s", text=text))
