"""The oracle of tests/croniter_equality.rs: python croniter, called the way Mistral 23
calls it (mistral/services/triggers.py).

stdin: {"patterns": [str], "starts": ["YYYY-MM-DD HH:MM:SS[.ffffff]"], "count": int}
stdout: {"croniter": version, "results": [{"error": null | "Type: message",
         "fires": [[fire, ...] for each start]}]}
A fire is "YYYY-MM-DD HH:MM:SS"; "none" stands for CroniterBadDateError (and ends the
list), "raise: Type" for any other exception.
"""
import datetime
import importlib.metadata
import json
import sys

import croniter

request = json.load(sys.stdin)
starts = [datetime.datetime.fromisoformat(s) for s in request["starts"]]
results = []
for pattern in request["patterns"]:
    try:
        # What validate_cron_trigger_input runs.
        croniter.croniter(pattern)
    except Exception as e:
        results.append({"error": "%s: %s" % (type(e).__name__, e), "fires": []})
        continue
    all_fires = []
    for start in starts:
        # What get_next_execution_time runs, then the periodic task again from each fire.
        it = croniter.croniter(pattern, start)
        fires = []
        for _ in range(request["count"]):
            try:
                fires.append(str(it.get_next(datetime.datetime)))
            except croniter.CroniterBadDateError:
                fires.append("none")
                break
            except Exception as e:
                fires.append("raise: %s" % type(e).__name__)
                break
        all_fires.append(fires)
    results.append({"error": None, "fires": all_fires})
json.dump({"croniter": importlib.metadata.version("croniter"), "results": results},
          sys.stdout)
