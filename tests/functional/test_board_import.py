"""Boards brought over from Planner and Trello: upload, preview with the mapping, confirm."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.boards import imports
from lean.core.extensions import db
from lean.models import CardComment, ChecklistItem, Event, FocusArea, Improvement, Stage
from tests.conftest import make_user, theme
from tests.functional.test_unit_of_work import leaves_no_trace

DATA = Path(__file__).parent.parent / "data"
PLANNER_FILE = DATA / "planner-export.xlsx"
TRELLO_FILE = DATA / "trello-export.json"
PLANNER_STAGES = {
    "Ideat": "idea",
    "Suunnitteilla": "plan",
    "Työn alla": "do",
    "Tarkistettavana": "check",
    "Odottaa": "act",
    "Valmiit": "done",
}
TRELLO_STAGES = {
    "Ideat": "idea",
    "Suunnitellaan": "plan",
    "Tekeillä": "do",
    "Arvioidaan": "check",
    "Valmis": "done",
}


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path) -> Path:
    app.config["BOARD_IMPORT_FOLDER"] = str(tmp_path)
    return tmp_path


@pytest.fixture
def people(world):
    """Two of the files' people have accounts in the organization, found by name."""
    organization = world.organization
    return {
        "Aino Virtanen": make_user(organization, name="Aino Virtanen", email="aino@example.fi"),
        "Jussi Nieminen": make_user(organization, name="Jussi Nieminen", email="jussi@example.fi"),
    }


def read(path: Path) -> imports.ImportFile:
    return imports.read_upload(path.read_bytes(), path.name)


def upload(client, team, path: Path, data: bytes | None = None):
    content = path.read_bytes() if data is None else data
    # Encoded in memory: the test client would spool a large body to a temporary file.
    boundary, body = encode_multipart(
        MultiDict({"file": FileStorage(io.BytesIO(content), filename=path.name)})
    )
    return client.post(
        f"/teams/{team.id}/board/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def mapping_form(file: imports.ImportFile, team, stages: dict[str, str], **extra) -> dict[str, str]:
    """The preview's form as a person fills it: a stage per bucket or list, Ennakointi as the
    Foresight focus area, the people the preview suggested."""
    foresight = db.session.scalar(select(FocusArea).where(FocusArea.key == "foresight"))
    form = {"default_theme": f"theme-{theme().id}", "stage_by": "bucket"}
    for number, bucket in enumerate(file.buckets):
        form[f"bucket-{number}"] = stages.get(bucket, "")
    for number, progress in enumerate(imports.PROGRESS_VALUES):
        form[f"progress-{number}"] = imports.PROGRESS_STAGES[progress].value
    for number, label in enumerate(file.labels):
        form[f"label-{number}"] = f"focus-{foresight.id}" if label == "Ennakointi" else ""
    choices = imports.Choices.of(team)
    for number, name in enumerate(file.people):
        person = imports._person_for_name(name, choices)
        form[f"person-{number}"] = str(person.id) if person else ""
    form.update(extra)
    return form


def imported(team) -> list[Improvement]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Improvement)
            .where(Improvement.team_id == team.id, Improvement.import_key.is_not(None))
            .order_by(Improvement.id)
        )
    )


def expected_per_stage(file: imports.ImportFile, stages: dict[str, str]) -> Counter[str]:
    return Counter(stages[card.bucket] for card in file.cards if not card.refused)


# ---- Planner ----------------------------------------------------------------------------


def test_planner_preview_shows_counts_unmapped_bucket_and_refused_rows(world, login_as, people):
    client = login_as("supervisor")
    response = upload(client, world.team, PLANNER_FILE)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Microsoft Planner export “Opintotoimiston kehittäminen”" in page
    assert "64 cards" in page
    # "Odottaa" (waiting) is no stage's name: it is marked, and the rest are guessed.
    assert 'for="bucket-4">Odottaa <strong class="unmapped">not mapped</strong>' in page
    assert 'for="bucket-0">Ideat</label>' in page
    # The people with accounts are suggested, the others marked.
    assert f'<option value="{people["Aino Virtanen"].id}" selected>' in page
    assert 'Mikko Korhonen <strong class="unmapped">' in page
    # Refused rows, each with its reason.
    assert "It has no task name." in page
    assert "Its Due Date “31.13.2026” is not a date." in page


def test_a_planner_plan_becomes_cards_as_mapped(world, login_as, people):
    client = login_as("supervisor")
    file = read(PLANNER_FILE)
    upload(client, world.team, PLANNER_FILE)
    response = client.post(
        f"/teams/{world.team.id}/board/import/confirm",
        data=mapping_form(file, world.team, PLANNER_STAGES),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teams/{world.team.id}/board")
    board = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "62 cards imported from Microsoft Planner." in board

    cards = imported(world.team)
    assert len(cards) == 62
    assert Counter(card.stage for card in cards) == expected_per_stage(file, PLANNER_STAGES)
    by_key = {card.import_key: card for card in cards}
    source = {card.key: card for card in file.cards if not card.refused}

    # Checklists: items in order, ticked as Planner says, and the text kept in the description.
    with_list = next(
        c
        for c in source.values()
        if len(c.checklist) >= 2 and c.progress != "Completed" and any(d for _t, d in c.checklist)
    )
    card = by_key[with_list.key]
    items = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.improvement_id == card.id)
        .order_by(ChecklistItem.position)
    ).all()
    assert [(item.text, item.done) for item in items] == with_list.checklist
    ticked = [item for item in items if item.done]
    assert all(item.done_by_id in (card.owner_id, world.users["supervisor"].id) for item in ticked)
    assert "Checklist:" in card.problem
    assert (
        f"[{'x' if with_list.checklist[0][1] else ' '}] {with_list.checklist[0][0]}" in card.problem
    )

    # Dates: created, due, and a completed task in Done since its completed date.
    done_task = next(c for c in source.values() if c.progress == "Completed")
    done_card = by_key[done_task.key]
    assert done_card.stage == Stage.DONE
    assert done_card.completed_at == done_task.completed
    assert done_card.created_at == done_task.created
    due_task = next(c for c in source.values() if c.due)
    assert by_key[due_task.key].due_date == due_task.due

    # Assignees matched by name: the first one with an account owns the card.
    aino_task = next(c for c in source.values() if c.assignees[:1] == ["Aino Virtanen"])
    assert by_key[aino_task.key].owner_id == people["Aino Virtanen"].id
    nobody = next(
        c for c in source.values() if not set(c.assignees) & {"Aino Virtanen", "Jussi Nieminen"}
    )
    assert by_key[nobody.key].owner_id is None

    # A label mapped to a focus area gives the card its theme and focus area.
    labelled = next(c for c in source.values() if c.labels[:1] == ["Ennakointi"])
    assert by_key[labelled.key].focus_area.key == "foresight"

    # The history starts with the import, named with its source and date.
    first = db.session.scalars(
        select(Event)
        .where(Event.subject_id == card.id, Event.subject_type == "improvement")
        .order_by(Event.id)
    ).first()
    assert first.kind == "imported"
    history = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "imported the card from Microsoft Planner on 16.11.2026" in history


def test_stages_by_progress(world, login_as, people):
    client = login_as("supervisor")
    file = read(PLANNER_FILE)
    upload(client, world.team, PLANNER_FILE)
    form = mapping_form(file, world.team, {}, stage_by="progress")  # no bucket mapped: not needed
    response = client.post(f"/teams/{world.team.id}/board/import/confirm", data=form)
    assert response.status_code == 303
    expected = Counter(
        imports.PROGRESS_STAGES[card.progress].value for card in file.cards if not card.refused
    )
    assert Counter(card.stage for card in imported(world.team)) == expected


def test_an_unmapped_bucket_is_refused_with_the_choices_kept(world, login_as, people):
    client = login_as("supervisor")
    file = read(PLANNER_FILE)
    upload(client, world.team, PLANNER_FILE)
    stages = {**PLANNER_STAGES, "Odottaa": ""}
    response = client.post(
        f"/teams/{world.team.id}/board/import/confirm", data=mapping_form(file, world.team, stages)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a stage for each value marked “not mapped”." in page
    assert '<option value="plan" selected>' in page
    assert imported(world.team) == []


def test_updating_the_preview_counts_per_stage_as_mapped(world, login_as, people):
    client = login_as("supervisor")
    file = read(PLANNER_FILE)
    upload(client, world.team, PLANNER_FILE)
    everything_in_plan = {bucket: "plan" for bucket in PLANNER_STAGES}
    response = client.post(
        f"/teams/{world.team.id}/board/import/preview",
        data=mapping_form(file, world.team, everything_in_plan),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    done = sum(1 for card in file.cards if not card.refused and card.progress == "Completed")
    assert f'<th scope="row">Plan</th><td>{62 - done}</td>' in page
    assert f'<th scope="row">Done</th><td>{done}</td>' in page
    assert "Import 62 cards" in page
    assert imported(world.team) == []


# ---- Trello -----------------------------------------------------------------------------


def test_a_trello_board_becomes_cards_with_checklists_and_comments(world, login_as, people):
    client = login_as("supervisor")
    file = read(TRELLO_FILE)
    response = upload(client, world.team, TRELLO_FILE)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It is archived in Trello." in preview
    assert "62 cards" in preview
    response = client.post(
        f"/teams/{world.team.id}/board/import/confirm",
        data=mapping_form(file, world.team, TRELLO_STAGES),
    )
    assert response.status_code == 303
    cards = imported(world.team)
    assert len(cards) == 61
    assert Counter(card.stage for card in cards) == expected_per_stage(file, TRELLO_STAGES)
    by_key = {card.import_key: card for card in cards}
    archived = next(card for card in file.cards if card.refused)
    assert archived.key not in by_key

    # Comments keep their dates; a writer without an account is named, the importer writes it.
    comments = db.session.scalars(
        select(CardComment).join(Improvement).where(Improvement.team_id == world.team.id)
    ).all()
    expected = [c for card in file.cards if not card.refused for c in card.comments]
    assert len(comments) == len(expected)
    supervisor = world.users["supervisor"]
    ulla = [c for c in comments if c.original_author == "Ulla Ulkopuolinen"]
    assert ulla and all(c.author_id == supervisor.id for c in ulla)
    jussi = [c for c in comments if c.author_id == people["Jussi Nieminen"].id]
    assert jussi and all(c.original_author == "" for c in jussi)
    mikko = [c for c in comments if c.original_author == "Mikko Korhonen"]
    assert mikko and all(c.author_id == supervisor.id for c in mikko)
    assert {c.created_at for c in comments} == {c.at for c in expected}

    # Checklists as Trello ticked them; due dates kept.
    with_list = next(card for card in file.cards if card.checklist and not card.refused)
    items = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.improvement_id == by_key[with_list.key].id)
        .order_by(ChecklistItem.position)
    ).all()
    assert [(item.text, item.done) for item in items] == with_list.checklist
    due = next(card for card in file.cards if card.due and not card.refused)
    assert by_key[due.key].due_date == due.due
    # Trello's id says when the card was made.
    assert by_key[due.key].created_at == due.created

    page = client.get(f"/improvements/{by_key[ulla[0].improvement.import_key].id}")
    text = page.get_data(as_text=True)
    assert "imported the card from Trello on 16.11.2026" in text
    assert "(originally by Ulla Ulkopuolinen)" in text


# ---- twice, failures, rights, bad files -------------------------------------------------


def test_importing_the_same_file_twice_makes_no_duplicates(world, login_as, people, import_folder):
    client = login_as("supervisor")
    file = read(TRELLO_FILE)
    form = mapping_form(file, world.team, TRELLO_STAGES)
    upload(client, world.team, TRELLO_FILE)
    assert client.post(f"/teams/{world.team.id}/board/import/confirm", data=form).status_code == 303
    assert list(import_folder.iterdir()) == []  # the stored upload is gone once imported
    # The same confirmation again (a second press): the file is no longer waiting.
    again = client.post(f"/teams/{world.team.id}/board/import/confirm", data=form)
    assert again.status_code == 303
    assert "no longer here" in client.get(again.headers["Location"]).get_data(as_text=True)
    # The same file uploaded again: every card is already on the board.
    response = upload(client, world.team, TRELLO_FILE)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "61 cards are already on the board from an earlier import" in preview
    response = client.post(f"/teams/{world.team.id}/board/import/confirm", data=form)
    assert response.status_code == 422
    assert "There is nothing to import" in response.get_data(as_text=True)
    assert len(imported(world.team)) == 61


def test_an_import_is_all_or_nothing(world, login_as, people):
    client = login_as("supervisor")
    file = read(PLANNER_FILE)
    form = mapping_form(file, world.team, PLANNER_STAGES)
    upload(client, world.team, PLANNER_FILE)
    for number in (1, 40, 110):  # the first card, one in the middle, one near the end
        leaves_no_trace(
            lambda: client.post(f"/teams/{world.team.id}/board/import/confirm", data=form), number
        )
    assert imported(world.team) == []
    # The file still waits: the import can be confirmed once the database is back.
    response = client.post(f"/teams/{world.team.id}/board/import/confirm", data=form)
    assert response.status_code == 303
    assert len(imported(world.team)) == 62


def test_a_tampered_stored_file_is_not_imported(world, login_as, import_folder):
    client = login_as("supervisor")
    upload(client, world.team, TRELLO_FILE)
    (stored,) = import_folder.iterdir()
    board = json.loads(stored.read_text(encoding="utf-8"))
    board["cards"] = board["cards"][:1]
    stored.write_text(json.dumps(board), encoding="utf-8")
    response = client.get(f"/teams/{world.team.id}/board/import/preview")
    assert response.status_code == 303
    assert "no longer here" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_cancelling_forgets_the_file(world, login_as, import_folder):
    client = login_as("supervisor")
    upload(client, world.team, TRELLO_FILE)
    assert len(list(import_folder.iterdir())) == 1
    response = client.post(f"/teams/{world.team.id}/board/import/cancel")
    assert response.status_code == 303
    assert list(import_folder.iterdir()) == []
    assert client.get(f"/teams/{world.team.id}/board/import/preview").status_code == 303


def test_the_pending_file_belongs_to_its_team(world, login_as):
    """A file uploaded for one team is not previewed on another team's import page."""
    client = login_as("coordinator")
    upload(client, world.team, TRELLO_FILE)
    response = client.get(f"/teams/{world.other_team.id}/board/import/preview")
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("supervisor", 200), ("coordinator", 200), ("admin", 200)],
)
def test_who_may_import(world, login_as, role, status):
    assert login_as(role).get(f"/teams/{world.team.id}/board/import").status_code == status


def test_another_organizations_team_answers_404(world, login_as):
    client = login_as("coordinator")
    assert client.get(f"/teams/{world.foreign_team.id}/board/import").status_code == 404
    response = upload(client, world.foreign_team, TRELLO_FILE)
    assert response.status_code == 404


def test_the_board_links_to_the_import_for_who_may_import(world, login_as):
    link = f'href="/teams/{world.team.id}/board/import"'
    assert link in login_as("supervisor").get(f"/teams/{world.team.id}/board").get_data(
        as_text=True
    )
    assert link not in login_as("member").get(f"/teams/{world.team.id}/board").get_data(
        as_text=True
    )


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "ei työkirja")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tehtavat.xlsx",
            b"Task ID;Task Name\n1;Kokeilu\n",
            "neither a Planner export (.xlsx) nor",
        ),
        ("tehtavat.xlsx", _zip_without_workbook(), "not an Excel workbook that can be read"),
        ("board.json", b'{"name": "Taulu"}', "not a Trello board export"),
        ("board.json", b'{"cards": [}', "not JSON that can be read"),
        ("board.json", b"", "The file is empty."),
        ("iso.json", b"{" + b" " * (imports.MAX_BYTES + 1) + b"}", "larger than 3 MB"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(world, login_as, name, content, message):
    client = login_as("supervisor")
    response = upload(client, world.team, Path(name), content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_workbook_without_planners_header_is_refused(world, login_as):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Nimi", "Tila"])
    workbook.active.append(["Kokeilu", "Kesken"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(login_as("supervisor"), world.team, Path("oma.xlsx"), buffer.getvalue())
    assert response.status_code == 422
    assert "no header row with Task ID and Task Name" in response.get_data(as_text=True)


def test_a_trello_export_saved_with_a_byte_order_mark_is_read(world, login_as):
    data = b"\xef\xbb\xbf" + TRELLO_FILE.read_bytes()
    response = upload(login_as("supervisor"), world.team, TRELLO_FILE, data)
    assert response.status_code == 303


def test_sample_files_are_realistic(app):
    with app.test_request_context():
        planner, trello = read(PLANNER_FILE), read(TRELLO_FILE)
    assert len(planner.cards) >= 60 and len(trello.cards) >= 60
    assert any("ä" in card.title for card in planner.cards)
    assert sum(len(card.comments) for card in trello.cards) > 20
    assert any(card.checklist for card in planner.cards)
    assert all(isinstance(card.created, datetime) for card in trello.cards)
    assert datetime(2026, 11, 16, tzinfo=UTC) > max(card.created for card in trello.cards)


def test_a_planner_workbook_read_row_by_row(app, world, people):
    """Excel's own dates, a Task ID twice, checklist counts instead of names, an e-mail as
    the assignee."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Plan name", "Kokeilu"])
    sheet.append([])
    sheet.append(list(imports.PLANNER_COLUMNS))
    row = dict.fromkeys(imports.PLANNER_COLUMNS, "")
    first = {
        **row,
        "Task ID": "a1",
        "Task Name": "Ensimmäinen",
        "Bucket Name": "Työn alla",
        "Progress": "In progress",
        "Assigned To": "AINO@example.fi",
        "Created Date": datetime(2026, 5, 4, 8, 30),
        "Completed Checklist Items": "1/3",
        "Checklist Items": "Yksi;Kaksi;Kolme",
    }
    sheet.append([first[name] for name in imports.PLANNER_COLUMNS])
    second = {**first, "Task Name": "Toinen"}
    sheet.append([second[name] for name in imports.PLANNER_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        file = imports.read_upload(buffer.getvalue(), "kokeilu.xlsx")
        choices = imports.Choices.of(world.team)
        mapping = imports.suggested_mapping(file, choices, "fi")
    one, two = file.cards
    assert file.name == "Kokeilu"
    assert one.created == datetime(2026, 5, 4, 5, 30, tzinfo=UTC)  # 8.30 in Helsinki
    assert one.checklist == [("Yksi", False), ("Kaksi", False), ("Kolme", False)]
    assert two.refused == "Its Task ID is the same as on line 4."
    assert mapping.stages["bucket:Työn alla"] == "do"
    assert mapping.people == {"AINO@example.fi": str(people["Aino Virtanen"].id)}
