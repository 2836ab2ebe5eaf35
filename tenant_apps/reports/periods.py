"""Months as the reports see them: a period is a run of whole months, `YYYY-MM` to `YYYY-MM`."""

import datetime as dt
from dataclasses import dataclass


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthPeriod:
    """From the first day of `first` to the last day of `last` (both the first of a month)."""

    first: dt.date
    last: dt.date

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        return month_add(self.last, 1) - dt.timedelta(days=1)

    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [month_add(self.first, i) for i in range(count)]

    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    def label(self) -> str:
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"
