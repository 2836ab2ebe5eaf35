"""Compliance (CONTRACT §9) read elsewhere than in the report's JSON: CSV and XLSX files with the
JSON's rows (in the reader's language), background exports, the car detail's summary and the AI
assistant, all reading the same rows. The cases are those of test_compliance.py."""

import datetime as dt

import pytest

from shared_apps.accounts.roles import Role
from tenant_apps.ai import facade
from tenant_apps.reports import services
from tenant_apps.reports.models import ExportJob, ExportStatus
from tests.reports.compliance_data import (
    CARS,
    COMPLIANCE,
    build_fleet,
    car,
    counts,
    day,
    policy,
    report,
    row,
)
from tests.reports.test_reports import (
    assert_xlsx_cell,
    bishkek_today,
    csv_text,
    get_json,
    parse_csv,
    parse_xlsx,
)


@pytest.fixture
def reader(acme_as):
    """Every role reads the report; most tests read as the least privileged one."""
    return acme_as(Role.GUEST)


@pytest.fixture
def fleet(in_acme) -> dict:
    return build_fleet()


# --- Files and exports ----------------------------------------------------------------------------


def compliance_table(body: dict) -> tuple[list, list, list]:
    header = ["Number plate", "Obligation", "Status", "Due", "Days left"]
    rows = [
        [
            r["numplate"],
            r["obligation"],
            r["status"],
            None if r["due"] is None else dt.date.fromisoformat(r["due"]),
            r["days_left"],
        ]
        for r in body["rows"]
    ]
    count = len(body["rows"])
    totals = ["Total", f"{count} obligation{'' if count == 1 else 's'}", None, None, None]
    return header, rows, totals


@pytest.mark.parametrize("params", [{}, {"status": "active", "days": "60"}], ids=["all", "some"])
def test_csv_has_the_json_rows(reader, fleet, params):
    header, rows, totals = compliance_table(report(reader, **params))

    response = reader.get(COMPLIANCE, {**params, "export": "csv"})

    assert response.status_code == 200
    name = f"compliance_{bishkek_today():%Y-%m-%d}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert parse_csv(response) == [
        header,
        *([csv_text(v) for v in r] for r in rows),
        [csv_text(v) for v in totals],
    ]


@pytest.mark.parametrize("params", [{}, {"status": "active", "days": "60"}], ids=["all", "some"])
def test_xlsx_has_the_json_rows_typed(reader, fleet, params):
    header, rows, totals = compliance_table(report(reader, **params))

    response = reader.get(COMPLIANCE, {**params, "export": "xlsx"})

    assert response.status_code == 200
    sheet = parse_xlsx(response)
    assert [c.value for c in sheet[1]] == header
    assert sheet.max_row == len(rows) + 2
    for number, expected in enumerate([*rows, totals], start=2):
        for cell, value in zip(sheet[number], expected, strict=True):
            assert_xlsx_cell(cell, value)


def test_a_russian_readers_file_names_obligations_and_statuses(acme_as, fleet):
    """Codes in the JSON; their Russian names in a Russian reader's file."""
    russian = acme_as(Role.GUEST, language="ru")
    params = {"car": fleet["B"].pk}

    response = russian.get(COMPLIANCE, {**params, "export": "csv"})

    assert parse_csv(response) == [
        ["Госномер", "Требование", "Статус", "Срок", "Осталось дней"],
        ["01KG002BBB", "Огнетушитель", "Отсутствует", "", ""],
        ["01KG002BBB", "Аптечка", "Отсутствует", "", ""],
        ["01KG002BBB", "КАСКО", "Просрочено", day(-3).isoformat(), "-3"],
        ["01KG002BBB", "Техосмотр", "Истекает", day(12).isoformat(), "12"],
        ["01KG002BBB", "ОСАГО", "Действует", day(400).isoformat(), "400"],
        ["Итого", "5 требований", "", "", ""],
    ]
    assert [r["status"] for r in report(russian, **params)["rows"]] == [
        "missing",
        "missing",
        "expired",
        "expiring",
        "active",
    ]


def test_a_background_export_has_the_json_rows(reader, fleet, media_root):
    params = {"obligation": "osago", "car": [fleet["A"].pk, fleet["B"].pk]}
    header, rows, totals = compliance_table(report(reader, **params))
    job = ExportJob.objects.create(
        report="compliance", format="csv", params=params, created_by=reader.user
    )

    services.export_job_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.rows, job.error) == (ExportStatus.SUCCEEDED, 2, "")
    text = (media_root / "acme" / "exports" / f"{job.pk}.csv").read_text("utf-8-sig")
    assert text.splitlines() == [
        ",".join(header),
        *(",".join(csv_text(v) for v in r) for r in rows),
        ",".join(csv_text(v) for v in totals),
    ]


def test_an_export_job_keeps_its_parameters_but_the_empty_ones(reader, in_acme):
    """Null and blank parameters count as not given, so the job does not keep them: its
    `params` are the report's parameters as the API describes them (`car` is a list of ids)."""
    body = {
        "report": "compliance",
        "format": "csv",
        "params": {"car": None, "region": "", "status": "missing", "days": 10},
    }

    response = reader.post("/api/v1/reports/exports/", body, format="json")

    assert response.status_code == 202, response.content
    assert response.json()["params"] == {"status": "missing", "days": 10}
    assert ExportJob.objects.get().params == {"status": "missing", "days": 10}


# --- The car detail and the assistant read the same rows ------------------------------------------


def test_the_car_detail_summary_has_the_cars_rows(reader, fleet):
    b = fleet["B"]

    summary = get_json(reader, f"{CARS}{b.pk}/")["summary"]

    assert summary["compliance"] == report(reader, car=b.pk)["rows"]
    assert summary["next_insurance"] == {
        "id": fleet["B-osago"].pk,
        "insurance_type": "osago",
        "number": fleet["B-osago"].number,
        "end_date": day(400).isoformat(),
        "days_left": 400,
    }
    assert summary["next_inspection"] == {
        "id": fleet["B-inspection"].pk,
        "number": fleet["B-inspection"].number,
        "valid_until": day(12).isoformat(),
        "days_left": 12,
    }


def test_an_uncovered_car_has_no_next_insurance(reader, in_acme):
    """OSAGO lapsed 5 days ago, the renewal starts in 20: the renewal is not "the next insurance
    to end" while the car is uncovered; the summary says what the report says."""
    a = car("01KG005EEE")
    lapsed = policy(a, -370, -5)
    policy(a, 20, 384)

    summary = get_json(reader, f"{CARS}{a.pk}/")["summary"]

    assert summary["next_insurance"] is None
    assert summary["compliance"][-1] == row(a, "osago", "expired", -5, lapsed)


def test_a_renewed_cars_next_insurance_is_the_one_its_cover_ends_with(reader, in_acme):
    a = car("01KG001AAA")
    policy(a, -355, 10)
    renewal = policy(a, 11, 375)

    summary = get_json(reader, f"{CARS}{a.pk}/")["summary"]

    assert (summary["next_insurance"]["id"], summary["next_insurance"]["days_left"]) == (
        renewal.pk,
        375,
    )


def test_a_decommissioned_cars_summary_has_no_obligations(reader, in_acme):
    sold = car("01KG001OLD", status="decommissioned")
    policy(sold, -100, 265)

    summary = get_json(reader, f"{CARS}{sold.pk}/")["summary"]

    assert (summary["compliance"], summary["next_insurance"]) == ([], None)


def test_the_assistant_reads_the_same_rows_capped(reader, in_acme):
    for i in range(7):
        car(f"01KG{i:03d}AIX")  # 7 cars x 4 missing obligations = 28 rows

    answer = facade.compliance()

    assert answer["counts"] == counts(missing=28)
    assert (answer["rows_total"], len(answer["rows"])) == (28, facade.MAX_ROWS)
    first = report(reader)["rows"][0]
    assert answer["rows"][0] == {
        key: first[key] for key in ("car", "numplate", "obligation", "status", "due", "days_left")
    }
    with pytest.raises(ValueError, match="status must be one of"):
        facade.compliance(status="upcoming")


def test_every_obligation_and_status_has_a_name_in_the_files():
    """A new obligation (the maintenance plans' `service`) is named in a Russian reader's file
    like the others, not written as its code."""
    from django.utils import translation

    from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
    from tenant_apps.reports.tables import compliance_status_names, obligation_names

    assert sorted(obligation_names()) == sorted(Obligation.values)
    assert sorted(compliance_status_names()) == sorted(ComplianceStatus.values)
    with translation.override("ru"):
        assert obligation_names()["service"] == "Обслуживание"
