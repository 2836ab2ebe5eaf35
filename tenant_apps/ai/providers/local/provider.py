"""The local provider: a question is parsed (`parsing.parse`), its intent chosen from what was
read (`intent_of`), and answered by the facade's numbers, the reports' own, in the request's
language; a plain request to record fuel, a mileage, an insurance or a car's status becomes a
proposed action, only when the user's role may make it. Anything else gets the help text."""

import datetime as dt
import re
from decimal import Decimal

from django.db import connection
from django.utils import translation

from shared_apps.dictionaries.selectors import dictionary_list
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.models import Car, FuelRecord, MonthlyMileage
from tenant_apps.fleet.rights import WRITE_ROLES
from tenant_apps.fleet.selectors import company_today

from ... import facade
from ...actions import ENTITIES, writable_entities
from .. import ChatReply, ChatRequest, reply_data
from .parsing import Question, parse
from .texts import TEXTS

LANGUAGES = ("en", "ru", "ky")


def intent_of(q: Question, *, car: dict | None) -> str:
    """What the question asks for, from what it names. The order settles overlaps: "in
    repair" is a status when cars are counted and a cost when money is asked about."""
    if _is_write(q):
        return "write"
    # "сколько машин в ремонте", "trucks in Bishkek", "which cars are in reserve"
    cars_named = q.about("cars") or q.vehicle_type is not None
    filtered = q.status or q.region or q.vehicle_type
    other_topic = q.about(
        "cost", "premium", "ownership", "fuel", "consumption", "mileage", "top", "documents"
    )
    if (
        cars_named
        and (filtered or q.about("which"))
        and not other_topic
        and q.obligation is None
        and car is None
    ):
        return "cars"
    if q.obligation is not None and (car is not None or q.about("without")):
        return "compliance"
    if q.about("top", "expensive") and not (car and not q.about("top")):
        return "top"
    if q.about("premium") or (q.about("insurance") and q.about("cost")):
        return "premiums"
    if q.about("ownership"):
        return "ownership"
    if car is not None and (
        q.about("documents", "insurance") or (q.obligation is None and q.about("without"))
    ):
        return "car_documents"
    if q.obligation is not None and not q.about("documents"):
        return "compliance"
    if q.about("documents", "insurance") or q.obligation is not None:
        return "documents"
    if q.about("upkeep") or (q.about("cost") and not q.about("fuel", "consumption", "mileage")):
        return "costs"
    if q.about("fuel", "consumption", "mileage"):
        return "fuel"
    if q.about("summary", "count", "cars"):
        return "summary"
    return "help"


def _is_write(q: Question) -> bool:
    """A request to record something: a verb of writing (or a fill-up stated in liters) about
    fuel, a mileage, an insurance or a car's status."""
    if not (q.about("write") or q.liters is not None):
        return False
    stated = (q.liters, q.km, q.money, q.status)
    if q.about("count", "which") and all(value is None for value in stated):
        return False  # "сколько литров заправили в марте" is a question
    return (
        q.about("fuel")
        or q.liters is not None
        or (q.about("mileage") and q.km is not None)
        or q.obligation in (Obligation.OSAGO, Obligation.CASCO)
        or q.about("insurance")
        or q.status is not None
    )


class LocalProvider:
    name = "local"

    def answer(self, request: ChatRequest) -> ChatReply:
        self.lang = request.language if request.language in LANGUAGES else "ru"
        self.t = TEXTS[self.lang]
        self.company = connection.tenant
        self.today = company_today(self.company)
        self.role = request.role
        q = parse(request.message, today=self.today)
        car, missing_plate = self._car(q, request.car_id)
        intent = intent_of(q, car=car)
        if intent == "write":
            return self._write(q, car, missing_plate)
        if missing_plate:  # never answer for another car, or for the whole fleet instead
            return ChatReply(self.t["no_car"].format(plate=missing_plate))
        date_from, date_to = q.period or (request.date_from, request.date_to)
        if intent == "cars":
            return self._cars(q)
        if intent == "compliance":
            return self._compliance(car, q.obligation, lacking=car is None, days=q.window_days)
        if intent == "car_documents":
            return self._car_documents(car, days=q.window_days)
        if intent == "top":
            return self._top(q, date_from, date_to)
        if intent == "premiums":
            return self._premiums(car, date_from, date_to)
        if intent == "ownership":
            return self._ownership(car, date_from, date_to)
        if intent == "documents":
            return self._documents(q)
        if intent == "costs":
            return self._costs(car, date_from, date_to)
        if intent == "fuel":
            return self._fuel(car, date_from, date_to)
        if intent == "summary":
            return self._summary()
        return ChatReply(self.t["help"])

    def _car(self, q: Question, car_id: int | None) -> tuple[dict | None, str | None]:
        """The car the message names (by plate), else the context's; and a plate that was
        named but not found."""
        found = {car.numplate: car for car in Car.objects.filter(numplate__in=q.plates)}
        for plate in q.plates:  # the first one named wins
            if plate in found:
                return facade.car_brief(found[plate]), None
        if q.named_plates:  # a plate was named and is not ours: say so
            return None, q.named_plates[0]
        if car_id is not None:
            car = Car.objects.filter(pk=car_id).first()
            if car is not None:
                return facade.car_brief(car), None
        return None, None

    # --- Names in the answer's language --------------------------------------------------------

    def _dictionary(self, kind: str) -> dict[str, str]:
        return {e["code"]: e["name"] for e in dictionary_list(kind=kind, language=self.lang)}

    def _obligation_name(self, obligation: str) -> str:
        if "obligations" in self.t:
            return self.t["obligations"][obligation]
        with translation.override(self.lang):
            return str(Obligation(obligation).label)

    def _compliance_statuses(self) -> dict[str, str]:
        if "compliance_statuses" in self.t:
            return self.t["compliance_statuses"]
        with translation.override(self.lang):
            return {code: str(label).lower() for code, label in ComplianceStatus.choices}

    # --- Answers ----------------------------------------------------------------------------

    def _fmt(self, template: str, **values) -> str:
        return template.format(cur=self.company.default_currency, **values)

    def _scope(self, car: dict | None) -> str:
        return self.t["for_car"].format(numplate=car["numplate"]) if car else ""

    def _summary(self) -> ChatReply:
        s = facade.fleet_summary()
        reply = self._fmt(
            self.t["summary"],
            cars=s["cars"],
            active=s["cars_by_status"].get("active", 0),
            repair=s["cars_by_status"].get("repair", 0),
            year=s["year"],
            fuel_liters=s["fuel_liters"],
            fuel_cost=s["fuel_cost"],
            mileage_km=s["mileage_km"],
            avg=s["avg_consumption_l_per_100km"] or "—",
            maintenance_cost=s["maintenance_cost"],
            expiring=s["documents"]["expiring"],
            expired=s["documents"]["expired"],
        )
        return ChatReply(reply, data=reply_data("fleet_summary", s))

    @staticmethod
    def _read(reader, car, date_from, date_to) -> dict:
        """A facade reader's result over a period, for the car or the fleet."""
        return reader(car_id=car["id"] if car else None, date_from=date_from, date_to=date_to)

    def _period_reply(self, template: str, car, result: dict, **values) -> str:
        return self._fmt(
            self.t[template],
            scope=self._scope(car),
            **{"from": result["from"], "to": result["to"]},
            **values,
        )

    def _fuel(self, car, date_from, date_to) -> ChatReply:
        result = self._read(facade.fuel_consumption, car, date_from, date_to)
        totals = result["totals"]
        reply = self._period_reply(
            "fuel",
            car,
            result,
            liters=totals["liters"],
            cost=totals["cost"],
            km=totals["mileage_km"],
            avg=totals["avg_consumption_l_per_100km"] or "—",
        )
        return ChatReply(reply, data=reply_data("fuel_consumption", result))

    def _costs(self, car, date_from, date_to) -> ChatReply:
        result = self._read(facade.maintenance_costs, car, date_from, date_to)
        columns = ("total", "parts", "work", "tires", "accumulators", "inspections")
        reply = self._period_reply(
            "costs", car, result, **{k: result["totals"][k] for k in columns}
        )
        return ChatReply(reply, data=reply_data("maintenance_costs", result))

    def _premiums(self, car, date_from, date_to) -> ChatReply:
        result = self._read(facade.insurance_premiums, car, date_from, date_to)
        types = self._dictionary("insurance_types")
        by_type = ", ".join(f"{types[k]} {v}" for k, v in result["by_type"].items())
        reply = self._period_reply(
            "premiums",
            car,
            result,
            total=result["total"],
            count=result["count"],
            by_type=f" ({by_type})" if by_type else "",
        )
        return ChatReply(reply, data=reply_data("insurance_premiums", result))

    def _ownership(self, car, date_from, date_to) -> ChatReply:
        result = self._read(facade.cost_of_ownership, car, date_from, date_to)
        totals = result["totals"]
        reply = self._period_reply(
            "ownership",
            car,
            result,
            **{k: totals[k] for k in ("total", "fuel", "upkeep", "insurance")},
            km=totals["mileage_km"],
            per_km=totals["cost_per_km"] or "—",
        )
        return ChatReply(reply, data=reply_data("cost_of_ownership", result))

    def _documents(self, q: Question) -> ChatReply:
        result = facade.documents_status(days=q.window_days)
        reply = self.t["documents"].format(
            days=result["days"],
            expiring=result["counts"]["expiring"],
            expired=result["counts"]["expired"],
        )
        # What needs doing: a policy yet to start is no news (it is the renewal).
        urgent = [i for i in result["items"] if i["status"] in ("expiring", "expired")]
        if q.obligation is not None:  # "когда истекает ОСАГО": that document only
            urgent = [i for i in urgent if q.obligation in (i["type"], i["kind"])]
        elif q.about("insurance"):
            urgent = [i for i in urgent if i["kind"] == "insurance"]
        if q.about("expired"):  # "просроченные документы": those only
            urgent = [i for i in urgent if i["status"] == "expired"]
        if urgent:
            items = ", ".join(f"{i['numplate']} {i['type']} {i['end']}" for i in urgent[:5])
            reply += self.t["documents_items"].format(items=items)
        return ChatReply(reply, data=reply_data("documents", result))

    def _top(self, q: Question, date_from, date_to) -> ChatReply:
        metric = q.metric or "cost"
        # "самая дорогая машина", "the most expensive car": one car
        one = (
            q.limit is None
            and not re.search(r"\bcars\b|машины\b|машин\b|машиналар", q.norm)
            and (q.about("expensive") or re.search(r"\bthe most\b|\bсам\w+|\bэң\b", q.norm))
        )
        result = facade.top_cars(
            metric=metric,
            date_from=date_from,
            date_to=date_to,
            limit=q.limit or (1 if one else 5),
        )
        period = {"from": result["from"], "to": result["to"]}
        data = reply_data("top_cars", result)
        if not result["rows"]:
            return ChatReply(self.t["top_empty"].format(**period), data=data)
        unit = " km" if metric == "mileage" and self.lang == "en" else ""

        def value(row) -> str:
            return f"{int(Decimal(row['value']))}{unit}" if metric == "mileage" else row["value"]

        items = ", ".join(f"{r['numplate']} ({value(r)})" for r in result["rows"])
        reply = self.t["top"].format(metric=self.t["metric"][metric], items=items, **period)
        return ChatReply(reply, data=data)

    def _cars(self, q: Question) -> ChatReply:
        """How many cars of a status, region or type there are, and (asked "which") which."""
        result = facade.cars(status=q.status, region=q.region, vehicle_type=q.vehicle_type)
        listed = q.about("which") or not q.about("count")
        plates = [r["numplate"] for r in result["rows"]]
        items = ": " + ", ".join(plates) if listed and plates else ""
        if len(plates) < result["count"] and items:
            items += ", …"
        data = reply_data("cars", result)
        statuses = self._dictionary("car_statuses")
        if q.status and not (q.region or q.vehicle_type):
            reply = self.t["in_status"].format(
                status=statuses[q.status], count=result["count"], total=result["total"]
            )
            return ChatReply(reply[:-1] + items + "." if items else reply, data=data)
        filters = [
            self._dictionary(kind)[code]
            for kind, code in (("vehicle_types", q.vehicle_type), ("regions", q.region))
            if code
        ]
        if q.status:
            filters.append(statuses[q.status])
        reply = self.t["cars_list"].format(
            filters=", ".join(filters) or self.t["all_cars"],
            count=result["count"],
            total=result["total"],
            items=items,
        )
        return ChatReply(reply, data=data)

    def _compliance_items(self, rows: list[dict], *, name_each: bool = False) -> str:
        statuses = self._compliance_statuses()
        return ", ".join(
            self.t["compliance_item"].format(
                numplate=self._obligation_name(r["obligation"]) if name_each else r["numplate"],
                status=statuses[r["status"]],
                due=f" {r['due']}" if r["due"] else "",
            )
            for r in rows
        )

    def _compliance(
        self, car: dict | None, obligation: str, *, lacking: bool, days: int | None
    ) -> ChatReply:
        """One car's obligation (its document, kit item, ...), or the cars that lack it: no
        valid cover today (missing or expired), worst first."""
        result = facade.compliance(
            obligation=obligation, car_id=car["id"] if car else None, days=days
        )
        name = self._obligation_name(obligation)
        rows = result["rows"]
        data = reply_data("compliance_rows", result)
        if lacking:
            rows = [r for r in rows if r["status"] in ("missing", "expired")]
            if not rows:
                return ChatReply(self.t["all_covered"].format(name=name), data=data)
        items = self._compliance_items(rows) or self._compliance_statuses()["missing"]
        template = "lacking" if lacking else "car_obligation"
        return ChatReply(self.t[template].format(name=name, items=items), data=data)

    def _car_documents(self, car: dict, *, days: int | None) -> ChatReply:
        """Every obligation of one car: its documents, kit, warranty and service, and when
        each is due."""
        result = facade.compliance(car_id=car["id"], days=days)
        items = self._compliance_items(result["rows"], name_each=True)
        reply = self.t["car_documents"].format(numplate=car["numplate"], items=items)
        return ChatReply(reply, data=reply_data("compliance_rows", result))

    # --- Proposed changes ---------------------------------------------------------------------

    def _propose(self, action: dict) -> ChatReply:
        return ChatReply(self.t["proposed"].format(summary=action["summary"]), actions=[action])

    def _write(self, q: Question, car, missing_plate) -> ChatReply:
        if q.about("fuel") or q.liters is not None:
            entity = "fuel_record"
        elif q.about("mileage") and q.km is not None:
            entity = "monthly_mileage"
        elif q.about("insurance") or q.obligation in (Obligation.OSAGO, Obligation.CASCO):
            entity = "insurance"
        else:
            entity = "car"
        refused = self._refused(entity)
        if refused is not None:
            return refused
        if car is None:
            return ChatReply(
                self.t["no_car"].format(plate=missing_plate)
                if missing_plate
                else self.t["need_car"]
            )
        if entity == "fuel_record":
            return self._fuel_action(q, car)
        if entity == "monthly_mileage":
            return self._mileage_action(q, car)
        if entity == "insurance":
            return self._insurance_action(q, car)
        return self._status_action(car, q.status)

    def _refused(self, entity: str) -> ChatReply | None:
        """Why no change is proposed to a user whose role may not make it (it would only be
        refused when confirmed), naming who may."""
        if entity in writable_entities(self.role):
            return None
        allowed = WRITE_ROLES[ENTITIES[entity]]
        names = self._dictionary("roles")
        who = ", ".join(name for role, name in names.items() if role in allowed)
        return ChatReply(
            self.t["role_refused"].format(
                role=names.get(self.role, self.role), what=self.t["what"][entity], who=who
            )
        )

    def _month_or_current(self, q: Question) -> dt.date:
        return q.month or self.today.replace(day=1)

    def _fuel_action(self, q: Question, car: dict) -> ChatReply:
        """A fill-up adds its liters, cost and km to the month's record (a correction, "set" or
        "change", replaces them); what the message does not say is left as it is, never set to
        zero. A new month's record needs all three, so the missing ones are asked for."""
        if q.liters is None:
            return ChatReply(self.t["need_fuel"])
        month = self._month_or_current(q)
        said = {"liters": q.liters}
        if q.money is not None:
            said["total_cost"] = q.money
        if q.km is not None:
            said["mileage_km"] = q.km
        existing = FuelRecord.objects.filter(
            car_id=car["id"], year=month.year, month=month.month
        ).first()
        if existing is None:
            if len(said) < 3:
                return ChatReply(
                    self.t["need_fuel_new"].format(numplate=car["numplate"], month=f"{month:%Y-%m}")
                )
            data = {"car": car["id"], "year": month.year, "month": month.month}
            data.update({k: _plain(v) for k, v in said.items()})
            summary = self._fmt(
                self.t["fuel_action"],
                verb=self.t["add"],
                numplate=car["numplate"],
                month=f"{month:%Y-%m}",
                liters=data["liters"],
                cost=data["total_cost"],
                km=data["mileage_km"],
            )
            return self._propose(_action("fuel_record", None, data, summary))
        replace = q.about("replace")
        changes = {
            field: value if replace else getattr(existing, field) + value
            for field, value in said.items()
        }
        shown = ", ".join(
            f"{field} {_plain(getattr(existing, field))} → {_plain(value)}"
            for field, value in changes.items()
        )
        summary = self.t["replace_action" if replace else "fill_action"].format(
            numplate=car["numplate"], month=f"{month:%Y-%m}", changes=shown
        )
        data = {field: _plain(value) for field, value in changes.items()}
        return self._propose(_action("fuel_record", existing, data, summary))

    def _mileage_action(self, q: Question, car: dict) -> ChatReply:
        if q.km is None:
            return ChatReply(self.t["need_km"])
        month = self._month_or_current(q)
        data = {"car": car["id"], "month": f"{month:%Y-%m}", "mileage_km": q.km}
        existing = MonthlyMileage.objects.filter(car_id=car["id"], month=month).first()
        summary = self.t["mileage_change" if existing else "mileage_action"].format(
            verb=self.t["add"],
            numplate=car["numplate"],
            month=f"{month:%Y-%m}",
            km=data["mileage_km"],
            before=existing.mileage_km if existing else None,
        )
        return self._propose(_action("monthly_mileage", existing, data, summary))

    def _insurance_action(self, q: Question, car: dict) -> ChatReply:
        kind = "casco" if q.obligation == Obligation.CASCO else "osago"
        data = {"car": car["id"], "insurance_type": kind}
        if q.policy_number:
            data["number"] = q.policy_number
        if q.dates:
            data["start_date"] = q.dates[0]
        if len(q.dates) > 1:
            data["end_date"] = q.dates[1]
        if q.money is not None:
            data["cost"] = _plain(q.money)
        details = ", ".join(f"{k}={v}" for k, v in data.items() if k != "car")
        summary = self.t["insurance_action"].format(
            type=kind.upper(), numplate=car["numplate"], details=details
        )
        return self._propose(_action("insurance", None, data, summary))

    def _status_action(self, car: dict, status: str) -> ChatReply:
        summary = self.t["status_action"].format(
            numplate=car["numplate"], status=self._dictionary("car_statuses").get(status, status)
        )
        action = {
            "action": "update",
            "entity": "car",
            "id": car["id"],
            "data": {"status": status},
            "summary": summary,
        }
        return self._propose(action)


def _plain(value) -> str | int:
    """A figure as the API takes it: money and liters with two places, km whole."""
    return value if isinstance(value, int) else f"{Decimal(value):.2f}"


def _action(entity: str, existing, data: dict, summary: str) -> dict:
    if existing is None:
        return {"action": "create", "entity": entity, "id": None, "data": data, "summary": summary}
    changes = {k: v for k, v in data.items() if k not in ("car", "year", "month")}
    return {"action": "update", "entity": entity, "id": existing.pk, "data": changes,
            "summary": summary}  # fmt: skip
