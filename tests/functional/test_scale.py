"""`flask seed-scale` at a small size: stage times right, the network alive, logins printed."""

from sqlalchemy import func, select

from lean.models import Adoption, KaizenEntry, Practice, PracticeComment
from lean.seeds.scale import SCALE_PASSWORD
from tests.functional.test_stage_times import stored_times, times_from_events


def test_seed_scale_writes_stage_times_kaizens_and_network_and_prints_logins(runner, db):
    result = runner.invoke(
        args=[
            "seed-scale",
            "--organizations=2",
            "--teams-per-organization=3",
            "--people-per-team=4",
            "--cards-per-team=30",
        ]
    )
    assert result.exit_code == 0, result.output
    for role in ("member", "supervisor", "coordinator"):
        assert f"  {role}: o01.t01." in result.output
    assert SCALE_PASSWORD in result.output

    assert stored_times() == times_from_events()

    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))

    assert count(KaizenEntry) == 6 * 50
    assert count(Practice) == 3
    assert count(PracticeComment) == 6
    assert count(Adoption) >= 1
    client = runner.app.test_client()
    response = client.post(
        "/login", data={"email": "o01.t01.p04@scale.vertaa.example", "password": SCALE_PASSWORD}
    )
    assert response.status_code == 303
