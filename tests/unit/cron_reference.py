#!/usr/bin/python3
"""The independent implementation the cron differential test compares with:
Debian's python3-croniter. Reads "EXPRESSION<TAB>EPOCH" lines, prints the
epoch of the next time EXPRESSION fires after EPOCH (UTC), or "none"."""
import datetime
import sys

from croniter import croniter, CroniterBadDateError

for line in sys.stdin:
    expression, start = line.rstrip("\n").split("\t")
    base = datetime.datetime.fromtimestamp(int(start), datetime.timezone.utc)
    try:
        nxt = croniter(expression, base).get_next(datetime.datetime)
        if nxt.year > base.year + 5:
            print("none")
        else:
            print(int(nxt.timestamp()))
    except CroniterBadDateError:
        print("none")
