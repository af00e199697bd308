"""Parses the action server's /metrics with the Prometheus project's own Python parser
(prometheus_client.openmetrics.parser), which is not the encoder the server uses.

Reads the exposition on stdin; the parser refuses anything that is not valid OpenMetrics
text (a missing `# EOF`, a bad name, a sample out of its family, ...). Prints one JSON
object: {"families": [{"name", "type", "unit", "help", "samples": [{"name", "labels",
"value"}]}]}; on a parse error prints {"error": "..."} and exits 1.
"""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": f.name,
                "type": f.type,
                "unit": f.unit,
                "help": f.documentation,
                "samples": [
                    {"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples
                ],
            }
            for f in text_string_to_metric_families(text)
        ]
    except Exception as e:  # the parser raises ValueError and friends
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
    print(json.dumps({"families": families}))


if __name__ == "__main__":
    main()
