"""An independent reading of reference §2/§7 for the tests: is ``d`` a state-agency working day?"""
from datetime import date

import holidays

from deadlines.models import CalendarOverride


def working_day_oracle():
    overrides = dict(CalendarOverride.objects.values_list("date", "kind"))
    by_year = {}

    def is_working(d: date) -> bool:
        if d in overrides:
            return overrides[d] == CalendarOverride.Kind.WORKING_DAY
        if d.year not in by_year:
            by_year[d.year] = holidays.country_holidays("VN", years=d.year)
        return d.weekday() < 5 and d not in by_year[d.year]

    return is_working
