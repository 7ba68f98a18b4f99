"""A jurisdiction's actuals (issue 13, web side), at the service level: the ledger CSV and
its problems (structured codes), the FY rules (outside the plan, gap, not ended), storage
with versions and history, the preview (nothing saved on a problem), the injection into
every plan of the jurisdiction, backups."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import ActualChange, FundActual
from planner.services import actuals as service
from planner.services import plan_documents as documents
from planner.services.backup import backup
from planner.services.demo import jurisdiction
from planner.services.plans import plans_of

AS_OF = dt.date(2028, 8, 1)  # FY2026-27 and FY2027-28 have ended; FY2028-29 has not
PLAN = (2026, 18)  # the demo plan's FYs: FY2026-27 for 18 years

LEDGER = """fiscal_year,item,strategy_or_pathway,amount
FY2026-27,receipts,,"$1,019,496.00"
FY2026-27,interest,,31250
FY2026-27,audit_costs,,2500
FY2026-27,spending,A:10,402113.40
FY2026-27,spending,A:7,44870
FY2026-27,referrals,arrest_diversion,35
FY2026-27,enrolled,,33
"""


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# ------------------------------------------------------------------------ the CSV (pure)


def test_ledger_csv_reads_one_fy_as_its_section_11_entry():
    parsed = service.read_actuals_csv(LEDGER)
    assert parsed.problems == ()
    assert parsed.entries() == {
        2026: {
            "receipts": "1019496.00",
            "interest": "31250",
            "audit_costs": "2500",
            "spending": {"A:10": "402113.40", "A:7": "44870"},
            "referrals": {"arrest_diversion": "35"},
            "enrolled": "33",
        }
    }
    assert parsed.items[2026] == {
        "receipts",
        "interest",
        "audit_costs",
        "spending",
        "referrals",
        "enrolled",
    }


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        ("FY2026-27,spending,A:99,100", "unknown_strategy", "strategy_or_pathway"),
        ("FY2026-27,spending,A:10,-5", "negative", "amount"),
        ("FY2026-27,referrals,walk_in,3", "unknown_pathway", "strategy_or_pathway"),
        ("FY2026-27,salaries,,3", "item", "item"),
        ("FY2026-27,spending,A:10", "columns", ""),
        ("FY2026-28,spending,A:10,1", "fiscal_year", "fiscal_year"),
        ("FY2026-27,spending,A:10,1e999999999", "amount", "amount"),
        ("FY2026-27,receipts,,5", "duplicate", "item"),
    ],
)
def test_ledger_csv_problems_name_their_line_and_code(row, code, field):
    parsed = service.read_actuals_csv(LEDGER + row + "\n")
    assert [(p.code, p.line, p.field) for p in parsed.problems] == [(code, 9, field)]


def test_ledger_csv_interest_may_be_a_loss_and_a_fy_needs_receipts_and_interest():
    parsed = service.read_actuals_csv("2027,interest,,(1200)\n2027,spending,A:10,5\n")
    assert parsed.entries()[2027]["interest"] == "-1200"
    assert [(p.code, p.fiscal_year, p.field) for p in parsed.problems] == [
        ("required", 2027, "receipts")
    ]


def test_fy_rules_outside_the_plan_gap_and_not_ended():
    spans = [PLAN]
    assert service.check_fys([2026], [], spans, AS_OF, plan_span=PLAN) == []
    assert codes(service.check_fys([2025], [], spans, AS_OF, plan_span=PLAN)) == ["outside_plan"]
    assert codes(service.check_fys([2027], [], spans, AS_OF, plan_span=PLAN)) == ["gap"]
    assert service.check_fys([2027], [2026], spans, AS_OF, plan_span=PLAN) == []
    assert codes(service.check_fys([2028], [2026, 2027], spans, AS_OF)) == ["not_ended"]
    # without a plan: inside any of the jurisdiction's plans, and no hole in the records
    assert codes(service.check_fys([2024], [], spans, AS_OF)) == ["outside_plan"]
    assert codes(service.check_fys([2026, 2027], [], [(2025, 5)], AS_OF, plan_span=(2025, 5))) == [
        "gap"
    ]


def test_applied_fys_are_the_recorded_run_from_the_plans_first_fy():
    assert documents.applied_fys(2026, 18, [2026, 2027, 2029]) == [2026, 2027]
    assert documents.applied_fys(2025, 18, [2026, 2027]) == []  # FY2025-26 not recorded
    assert documents.applied_fys(2027, 3, [2026, 2027]) == [2027]  # before the plan: not used


def test_the_actuals_section_is_added_to_the_stored_text_exactly():
    stored = '{\n  "schema": "lead-plan/1",\n  "rate": 0.1000000000000000000001\n}\n'
    text = documents.with_actuals(
        stored, {2026: {"receipts": "5", "interest": "0", "spending": {}}}
    )
    assert text.startswith(stored.rstrip()[:-1].rstrip())  # the stored numbers untouched
    assert json.loads(text)["actuals"] == {
        "FY2026-27": {"receipts": "5", "interest": "0", "spending": {}}
    }


def test_an_upload_keeps_the_filing_date_and_the_program_counts_it_does_not_give():
    recorded = {
        "receipts": "1",
        "interest": "0",
        "spending": {"A:10": "1"},
        "referrals": {"community": "4"},
        "enrolled": "3",
        "reported_on": "2027-09-20",
    }
    merged = service.merged_entry(
        {"receipts": "2", "interest": "1", "spending": {}},
        recorded,
        frozenset({"receipts", "interest"}),
    )
    assert merged == {
        "receipts": "2",
        "interest": "1",
        "spending": {},
        "referrals": {"community": "4"},
        "enrolled": "3",
        "reported_on": "2027-09-20",
    }


# ------------------------------------------------------------------------ storage


def _orange(app):
    return jurisdiction(db.session, "orange-county")


def test_save_versions_history_and_stale(app):
    with app.app_context():
        orange = _orange(app)
        entry = service.read_actuals_csv(LEDGER).entries()[2026]
        record = service.save_fy(
            db.session,
            orange,
            None,
            2026,
            entry,
            expected_version=0,
            as_of=AS_OF,
            action="entered",
            plan_span=PLAN,
        )
        db.session.commit()
        assert record.version == 1
        assert json.loads(record.entry)["spending"] == {"A:10": "402113.40", "A:7": "44870"}
        changed = dict(entry, receipts="1019497")
        service.save_fy(
            db.session,
            orange,
            None,
            2026,
            changed,
            expected_version=1,
            as_of=AS_OF,
            action="corrected",
        )
        db.session.commit()
        assert record.version == 2
        with pytest.raises(service.StaleActuals):  # the page showed version 1
            service.save_fy(
                db.session,
                orange,
                None,
                2026,
                entry,
                expected_version=1,
                as_of=AS_OF,
                action="again",
            )
        db.session.rollback()
        entries = service.history(db.session, orange)
        assert [(e.fiscal_year, e.action, e.old, e.new) for e in entries][0] == (
            2026,
            "corrected",
            "1019496",
            "1019497",
        )
        assert len(entries) == 2


def test_a_bad_upload_saves_nothing(app):
    with app.app_context():
        orange = _orange(app)
        text = (
            "FY2027-28,receipts,,5\nFY2027-28,interest,,0\n"
            "FY2027-28,spending,A:10,-3\nFY2029-30,receipts,,5\nFY2029-30,interest,,0\n"
        )
        parsed = service.read_actuals_csv(text)
        shown = service.preview(
            db.session,
            orange,
            parsed.entries(),
            AS_OF,
            plan_span=PLAN,
            items=parsed.items,
            problems=parsed.problems,
        )
        assert sorted(codes(shown.problems)) == ["gap", "negative", "not_ended"]
        with pytest.raises(service.ActualsError):
            service.apply_preview(
                db.session,
                orange,
                None,
                shown,
                based_on=shown.versions,
                as_of=AS_OF,
                action="upload",
            )
        db.session.rollback()
        assert db.session.scalar(select(func.count(FundActual.id))) == 0
        assert db.session.scalar(select(func.count(ActualChange.id))) == 0


def test_preview_then_save_applies_to_every_plan_and_backs_up(app):
    with app.app_context():
        orange = _orange(app)
        parsed = service.read_actuals_csv(LEDGER)
        shown = service.preview(
            db.session, orange, parsed.entries(), AS_OF, plan_span=PLAN, items=parsed.items
        )
        assert [(f.fiscal_year, f.status) for f in shown.fys] == [(2026, "new")]
        assert (
            service.apply_preview(
                db.session,
                orange,
                None,
                shown,
                based_on=shown.versions,
                as_of=AS_OF,
                action="upload",
            )
            == 1
        )
        db.session.commit()
        again = service.preview(
            db.session, orange, parsed.entries(), AS_OF, plan_span=PLAN, items=parsed.items
        )
        assert [f.status for f in again.fys] == ["unchanged"]
        assert not again.saves
        for record in plans_of(db.session, orange):  # both of Orange's plans
            document = json.loads(documents.projected_document(record))
            assert document["actuals"]["FY2026-27"]["receipts"] == "1019496"
            assert "actuals" not in json.loads(record.document)
        durham = jurisdiction(db.session, "durham-county")
        assert all(
            documents.projected_document(r) == r.document for r in plans_of(db.session, durham)
        )
        data = json.loads(json.dumps(backup(db.session)))
        assert [(a["jurisdiction"], a["fiscal_year"]) for a in data["actuals"]] == [
            ("orange-county", "FY2026-27")
        ]
        assert len(data["actuals_history"]) == 1


def test_only_the_first_or_last_recorded_fy_can_be_removed(app):
    with app.app_context():
        orange = _orange(app)
        entry = {"receipts": "1", "interest": "0", "spending": {}, "reported_on": "2027-06-30"}
        with pytest.raises(service.ActualsError) as refused:  # filed before the FY ended
            service.save_fy(
                db.session,
                orange,
                None,
                2026,
                entry,
                expected_version=0,
                as_of=dt.date(2030, 8, 1),
                action="entered",
            )
        assert codes(refused.value.problems) == ["date"]
        del entry["reported_on"]
        for fy in (2026, 2027, 2028):
            service.save_fy(
                db.session,
                orange,
                None,
                fy,
                entry,
                expected_version=0,
                as_of=dt.date(2030, 8, 1),
                action="entered",
            )
        with pytest.raises(service.ActualsError) as refused:
            service.delete_fy(db.session, orange, None, 2027, expected_version=1)
        assert codes(refused.value.problems) == ["gap"]
        service.delete_fy(db.session, orange, None, 2028, expected_version=1)
        assert list(documents.records_of(db.session, orange)) == [2026, 2027]
        assert service.history(db.session, orange)[0].new == "—"  # the removal, recorded


def test_a_plans_simulation_follows_its_jurisdictions_actuals(app):
    """The plan page's uncertainty analysis is of the plan with its county's actuals: entering
    a closed FY gives a new analysis, whose closed FY is the actual figure in every draw.
    Both are computed by the job queue when the plan and the actuals are saved (the test's
    queue runs each job at once) and read back from the database."""
    from planner.services import jobs
    from planner.services.analyses import analysis_of_plan, simulation_key
    from planner.services.plans import load_plan

    def analysis_of(record):
        plan = load_plan(record, actuals=True)
        assert jobs.state(db.session, simulation_key(plan)).done  # queued by the save
        return analysis_of_plan(plan)

    with app.app_context():
        orange = _orange(app)
        record = plans_of(db.session, orange)[0]
        document = json.loads(record.document)
        document["uncertainty"] = {
            "draws": 40,
            "seed": 3,
            "receipts": {"low": "0.8", "mode": "1", "high": "1.1"},
        }
        record.document = json.dumps(document)
        db.session.commit()
        opening = int(load_plan(record).fund.opening_balance)
        before = analysis_of(record)
        assert before is not None
        assert before.result.fiscal_years[0] == 2026
        entry = {"receipts": "1000", "interest": "0", "spending": {"A:10": "250"}}
        service.save_fy(
            db.session, orange, None, 2026, entry, expected_version=0, as_of=AS_OF, action="form"
        )
        db.session.commit()
        after = analysis_of(record)
        assert after is not None
        assert after is not before
        # FY2026-27 closed: opening + 1,000 received + 0 interest - 250 spent, in every draw
        closed = opening + 1000 - 250
        assert {after.result.closing[p][0] for p in (10, 50, 90)} == {closed}
        assert before.result.closing[50][0] != closed
