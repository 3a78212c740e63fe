"""Write the made-up sample exports the board import is tested with.

    .venv/bin/python tests/data/make_samples.py

planner-export.xlsx has Planner's layout (preamble rows, then the header row, then a task a
row) and trello-export.json a Trello board's JSON export. Both are generated from a fixed seed,
so running this again writes the same tasks.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
PEOPLE = ["Aino Virtanen", "Mikko Korhonen", "Leena Mäkinen", "Jussi Nieminen", "Sanna Heikkinen"]
OBJECTS = [
    "opiskelijapalautteen keruu",
    "todistusten tulostus",
    "tiimipalaverin asialista",
    "uusien opiskelijoiden perehdytys",
    "työpaikkaohjaajien koulutus",
    "poissaoloilmoitusten käsittely",
    "hops-keskustelujen aikataulutus",
    "näyttöjen arviointilomake",
    "tilavarausten käytäntö",
    "materiaalitilausten hyväksyntä",
    "kurssikuvausten päivitys",
    "opintotukiasioiden neuvonta",
    "kesätyöpaikkojen ilmoitustaulu",
    "vierailijoiden vastaanotto",
    "työturvallisuuskävely",
    "koneiden huoltokirja",
    "ruokalan jonotus",
    "opettajien sijaisjärjestelyt",
    "verkko-opintojen ohjeet",
    "erityisen tuen suunnitelmat",
    "lukujärjestysten julkaisu",
    "avainten luovutus",
    "ensiapuvälineiden tarkistus",
    "opiskelijakuntavaalit",
    "yrityskumppanien yhteystiedot",
    "arviointien kirjaaminen Wilmaan",
    "tulostimen paperitilaukset",
    "uraohjauksen ajanvaraus",
    "työssäoppimisen sopimukset",
    "kirjaston lainausaika",
    "tiedotteiden kääntäminen ruotsiksi",
    "palautekyselyn tulosten käsittely",
]
PREFIXES = ["Nopeutetaan", "Selkeytetään"]
DESCRIPTIONS = [
    "Nykyinen tapa vie liikaa aikaa ja tieto on hajallaan useassa paikassa.",
    "Opiskelijat kysyvät samaa asiaa viikoittain; ohje puuttuu tai on vanha.",
    "Kokeillaan kahden viikon ajan ja mitataan käytetty aika ennen ja jälkeen.",
    "Palautteessa toivottiin selkeämpää käytäntöä.",
    "",
]
CHECKLIST = ["Nykytilan kuvaus", "Kokeilun suunnitelma", "Tiedote tiimille", "Tulosten mittaus"]
LABELS = ["Ennakointi", "Pedagoginen malli", "Opiskelijapalaute", "Digitalisaatio"]
BUCKETS = [
    ("Ideat", "Not started"),
    ("Suunnitteilla", "Not started"),
    ("Työn alla", "In progress"),
    ("Tarkistettavana", "In progress"),
    ("Odottaa", "In progress"),
    ("Valmiit", "Completed"),
]
START = date(2026, 3, 2)


def titles() -> list[str]:
    return [f"{prefix} {item}" for item in OBJECTS for prefix in PREFIXES]


def finnish(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def planner(rng: random.Random) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tehtävät"
    sheet.append(["Plan name", "Opintotoimiston kehittäminen"])
    sheet.append(["Plan ID", "k7Hf2Ls9QUqV0xJ3aYp1mWUAD4Xb"])
    sheet.append(["Date of export", "16.11.2026"])
    sheet.append([])
    sheet.append(
        [
            "Task ID",
            "Task Name",
            "Bucket Name",
            "Progress",
            "Priority",
            "Assigned To",
            "Created By",
            "Created Date",
            "Start Date",
            "Due Date",
            "Late",
            "Completed Date",
            "Completed By",
            "Description",
            "Completed Checklist Items",
            "Checklist Items",
            "Labels",
        ]
    )
    for number, title in enumerate(titles()):
        bucket, progress = BUCKETS[number % len(BUCKETS)]
        created = START + timedelta(days=rng.randrange(0, 180))
        started = (
            created + timedelta(days=rng.randrange(1, 20)) if progress != "Not started" else None
        )
        due = created + timedelta(days=rng.randrange(20, 90)) if number % 3 else None
        completed = (
            (started or created) + timedelta(days=rng.randrange(5, 40))
            if progress == "Completed"
            else None
        )
        items = CHECKLIST[: rng.randrange(0, 5)]
        done = items[: rng.randrange(0, len(items) + 1)] if items else []
        if progress == "Completed":
            done = items
        assigned = rng.sample(PEOPLE, rng.randrange(0, 3))
        labels = rng.sample(LABELS, rng.randrange(0, 3))
        task_id = f"pT{number:03d}x{rng.randrange(16**10):010x}"
        sheet.append(
            [
                task_id,
                title if number != 7 else "",  # a row without a name: refused
                bucket,
                progress,
                rng.choice(["Medium", "Medium", "Important", "Low", "Urgent"]),
                ";".join(assigned),
                rng.choice(PEOPLE),
                finnish(created),
                finnish(started) if started else "",
                "31.13.2026" if number == 11 else (finnish(due) if due else ""),  # refused
                "false",
                finnish(completed) if completed else "",
                rng.choice(PEOPLE) if completed else "",
                rng.choice(DESCRIPTIONS),
                ";".join(done),
                ";".join(items),
                ";".join(labels),
            ]
        )
    workbook.save(HERE / "planner-export.xlsx")


def trello_id(moment: datetime, rng: random.Random) -> str:
    return f"{int(moment.timestamp()):08x}{rng.randrange(16**16):016x}"


def trello(rng: random.Random) -> None:
    board_made = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
    lists = [
        {"id": trello_id(board_made, rng), "name": name, "closed": False, "pos": 16384 * (i + 1)}
        for i, name in enumerate(["Ideat", "Suunnitellaan", "Tekeillä", "Arvioidaan", "Valmis"])
    ]
    members = [
        {"id": trello_id(board_made, rng), "fullName": name, "username": name.split()[0].lower()}
        for name in PEOPLE
    ]
    colours = ["green", "yellow", "orange", "blue"]
    labels = [
        {"id": trello_id(board_made, rng), "name": name, "color": colour}
        for name, colour in zip(LABELS, colours, strict=True)
    ]
    cards, checklists, actions = [], [], []
    for number, title in enumerate(titles()[:62]):
        made = board_made + timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 9))
        card_id = trello_id(made, rng)
        column = lists[number % len(lists)]
        due = made + timedelta(days=rng.randrange(14, 80)) if number % 2 else None
        card_members = rng.sample(members, rng.randrange(0, 3))
        cards.append(
            {
                "id": card_id,
                "name": title,
                "desc": rng.choice(DESCRIPTIONS),
                "closed": number == 5,  # archived in Trello: refused
                "idList": column["id"],
                "idMembers": [member["id"] for member in card_members],
                "labels": rng.sample(labels, rng.randrange(0, 3)),
                "due": due.isoformat().replace("+00:00", ".000Z") if due else None,
                "dueComplete": column["name"] == "Valmis" and due is not None,
                "dateLastActivity": (made + timedelta(days=rng.randrange(1, 30)))
                .isoformat()
                .replace("+00:00", ".000Z"),
                "pos": 16384 * (number + 1),
            }
        )
        if number % 2 == 0:
            items = CHECKLIST[: rng.randrange(1, 5)]
            ticked = rng.randrange(0, len(items) + 1)
            checklists.append(
                {
                    "id": trello_id(made, rng),
                    "idCard": card_id,
                    "name": "Tarkistuslista",
                    "pos": 16384,
                    "checkItems": [
                        {
                            "id": trello_id(made, rng),
                            "name": item,
                            "state": "complete" if i < ticked else "incomplete",
                            "pos": 16384 * (i + 1),
                        }
                        for i, item in enumerate(items)
                    ],
                }
            )
        for comment in range(number % 3):
            writer = rng.choice(
                [*members, {"id": "5f0c0ffee0000000000000aa", "fullName": "Ulla Ulkopuolinen"}]
            )
            moment = made + timedelta(days=comment + 1, hours=2)
            actions.append(
                {
                    "id": trello_id(moment, rng),
                    "type": "commentCard",
                    "date": moment.isoformat().replace("+00:00", ".000Z"),
                    "idMemberCreator": writer["id"],
                    "memberCreator": {"id": writer["id"], "fullName": writer["fullName"]},
                    "data": {
                        "text": rng.choice(
                            [
                                "Kävin tämän läpi tiimin kanssa, hyvä alku.",
                                "Voisiko tästä tehdä kokeilun ensi viikolla?",
                                "Lisäsin ohjeen luonnoksen Teamsiin.",
                            ]
                        ),
                        "card": {"id": card_id, "name": title},
                        "list": {"id": column["id"], "name": column["name"]},
                    },
                }
            )
    board = {
        "id": trello_id(board_made, rng),
        "name": "Opiskelijapalveluiden parannukset",
        "desc": "",
        "closed": False,
        "url": "https://trello.com/b/aBcD1234/opiskelijapalveluiden-parannukset",
        "labels": labels,
        "lists": lists,
        "members": members,
        "cards": cards,
        "checklists": checklists,
        "actions": sorted(actions, key=lambda action: action["date"], reverse=True),
    }
    (HERE / "trello-export.json").write_text(
        json.dumps(board, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    planner(random.Random(22))
    trello(random.Random(23))
