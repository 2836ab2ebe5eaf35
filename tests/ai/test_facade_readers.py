"""The facade's readers added for the assistant's questions (cars by status, region and type;
insurance premiums; cost of ownership; top cars by any metric), on the corpus fleet
(`corpus_fleet`: figures checkable by hand there), and their refusals of bad arguments, which
the OpenAI-compatible provider passes on from a model."""

import pytest
import time_machine

from tenant_apps.ai import facade
from tenant_apps.ai.providers.openai import OpenAIProvider
from tests.ai.corpus_fleet import NOW, build_fleet
from tests.factories import CarFactory


@pytest.fixture
def fleet(in_acme):
    with time_machine.travel(NOW, tick=False):
        cars = build_fleet()
        yield cars


def test_cars_by_status_region_and_type(fleet):
    assert facade.cars(region="bishkek") == {
        "status": None,
        "region": "bishkek",
        "vehicle_type": None,
        "count": 2,
        "total": 5,
        "rows": [
            {"id": fleet["A"].pk, "numplate": "01KG001AAA", "title": "Camry", "status": "active",
             "region": "bishkek", "vehicle_type": "car"},
            {"id": fleet["D"].pk, "numplate": "01KG004DDD", "title": "Gazelle",
             "status": "reserve", "region": "bishkek", "vehicle_type": "minibus"},
        ],
    }  # fmt: skip
    assert facade.cars(status="active", region="bishkek")["count"] == 1
    assert facade.cars(vehicle_type="truck")["rows"][0]["numplate"] == "02KG003CCC"
    assert facade.cars(status="repair", vehicle_type="car")["count"] == 0


def test_a_long_list_of_cars_is_cut_by_plate_and_counted_whole(in_acme):
    for n in range(30):
        CarFactory(numplate=f"01KG{n:03d}XYZ", region="talas")

    result = facade.cars(region="talas")

    assert (result["count"], len(result["rows"])) == (30, facade.MAX_ROWS)
    assert result["rows"][-1]["numplate"] == "01KG023XYZ"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "broken"}, "status must be one of"),
        ({"region": "moscow"}, "region must be a code"),
        ({"vehicle_type": "spaceship"}, "vehicle_type must be a code"),
    ],
)
def test_cars_refuses_unknown_codes(in_acme, arguments, message):
    with pytest.raises(ValueError, match=message):
        facade.cars(**arguments)


def test_insurance_premiums_are_the_policies_that_start_in_the_period(fleet):
    """2026 to May: A's CASCO (30000), C's OSAGO (1300), D's OSAGO starting 20 May (1250);
    A's and B's OSAGO started in 2025."""
    result = facade.insurance_premiums(date_from="2026-01", date_to="2026-05")

    assert (result["count"], result["total"], result["by_type"]) == (
        3,
        "32550.00",
        {"casco": "30000.00", "osago": "2550.00"},
    )
    assert [(r["numplate"], r["number"], r["cost"]) for r in result["rows"]] == [
        ("01KG001AAA", "CA-A-26", "30000.00"),
        ("02KG003CCC", "OS-C-26", "1300.00"),
        ("01KG004DDD", "OS-D-26", "1250.00"),
    ]
    one_car = facade.insurance_premiums(
        car_id=fleet["B"].pk, date_from="2025-01", date_to="2025-12"
    )
    assert (one_car["count"], one_car["total"], one_car["by_type"]) == (
        1,
        "1100.00",
        {"osago": "1100.00"},
    )


def test_cost_of_ownership_ranks_the_costliest_cars_first(fleet):
    result = facade.cost_of_ownership(date_from="2026-01", date_to="2026-05")

    assert [(r["numplate"], r["total"], r["cost_per_km"]) for r in result["rows"]] == [
        ("02KG003CCC", "43427.40", "28.95"),
        ("01KG001AAA", "40207.40", "16.08"),
        ("01KG002BBB", "31561.64", "10.52"),
        ("01KG004DDD", "1241.10", None),  # an inspection and 12 days of OSAGO, no km
    ]
    assert result["totals"]["total"] == "116437.54"


@pytest.mark.parametrize(
    ("metric", "rows"),
    [
        ("cost", [("02KG003CCC", "25000.00"), ("01KG001AAA", "13500.00"),
                  ("01KG002BBB", "12000.00"), ("01KG004DDD", "1200.00")]),
        ("fuel", [("01KG002BBB", "19200.00"), ("02KG003CCC", "18000.00"),
                  ("01KG001AAA", "13800.00")]),
        ("liters", [("01KG002BBB", "320.00"), ("02KG003CCC", "300.00"),
                    ("01KG001AAA", "230.00")]),
        ("consumption", [("02KG003CCC", "20.00"), ("01KG002BBB", "10.67"),
                         ("01KG001AAA", "9.20")]),
        ("mileage", [("01KG002BBB", "3000.00"), ("01KG001AAA", "2500.00"),
                     ("02KG003CCC", "1500.00")]),
        ("ownership", [("02KG003CCC", "43427.40"), ("01KG001AAA", "40207.40"),
                       ("01KG002BBB", "31561.64"), ("01KG004DDD", "1241.10")]),
        ("cost_per_km", [("02KG003CCC", "28.95"), ("01KG001AAA", "16.08"),
                         ("01KG002BBB", "10.52")]),  # D drove no km: no figure
        ("insurance", [("01KG001AAA", "12907.40"), ("02KG003CCC", "427.40"),
                       ("01KG002BBB", "361.64"), ("01KG004DDD", "41.10")]),
    ],
)  # fmt: skip
def test_top_cars_by_every_metric(fleet, metric, rows):
    """Highest first; a car without the figure (no km) or at zero is not ranked."""
    result = facade.top_cars(metric=metric, date_from="2026-01", date_to="2026-05", limit=10)

    assert [(r["numplate"], r["value"]) for r in result["rows"]] == rows


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("cars", {"region": ["bishkek"]}),
        ("cars", {"colour": "red"}),
        ("insurance_premiums", {"date_from": "last year"}),
        ("insurance_premiums", {"car_id": "01KG001AAA"}),
        ("cost_of_ownership", {"date_to": "2026-13"}),
        ("top_cars", {"metric": "speed"}),
    ],
)
def test_a_models_bad_arguments_are_told_back_not_raised(in_acme, tool, arguments):
    provider = OpenAIProvider.__new__(OpenAIProvider)  # no endpoint needed to run a tool
    call = {"function": {"name": tool, "arguments": arguments}}

    result = provider._run_tool(call, actions=[])

    assert set(result) == {"error"}
    assert result["error"].startswith("Bad arguments: ")


def test_the_readers_take_two_queries_whatever_the_rows(fleet, django_assert_num_queries):
    """The counts come with the sums (one aggregate), the rows in another query."""
    for _ in range(30):
        CarFactory(region="bishkek")
    with django_assert_num_queries(2):
        assert facade.cars(region="bishkek")["count"] == 32
    with django_assert_num_queries(2):
        assert facade.insurance_premiums(date_from="2026-01", date_to="2026-05")["count"] == 3
