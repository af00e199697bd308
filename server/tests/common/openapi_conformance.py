"""Checks the action server's answers against generated/openapi.json, with jsonschema.

Reads one JSON object per line on stdin, {"method", "path", "status", "content_type",
"body"}, and answers one per line on stdout: {"ok": true} or {"ok": false, "why": "..."}.
The operation is the document's path for that exact path, else the templated one that
matches it (OpenAPI's rule); its response for that status must exist, list the answer's
media type (its Content-Type without parameters), and that media type's schema must accept
the body (the parsed JSON, or the text of any other media type).
"""

import json
import re
import sys

from jsonschema import Draft202012Validator


def main(document_path):
    with open(document_path) as f:
        document = json.load(f)
    for line in sys.stdin:
        answer = json.loads(line)
        why = check(document, answer)
        print(json.dumps({"ok": why is None, "why": why}), flush=True)


def operation(document, method, path):
    paths = document["paths"]
    if path in paths:
        return paths[path].get(method)
    for template, item in paths.items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if "{" in template and re.match(pattern, path):
            return item.get(method)
    return None


def follow(document, node):
    """The object a local `$ref` points at (followed repeatedly), else `node`."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def check(document, answer):
    method, path = answer["method"].lower(), answer["path"]
    op = operation(document, method, path)
    if op is None:
        return f"{method.upper()} {path} is not in the document"
    response = op["responses"].get(str(answer["status"]))
    if response is None:
        return f"{method.upper()} {path} does not list status {answer['status']}"
    content = follow(document, response)["content"]
    media_type = answer["content_type"].split(";")[0].strip()
    if media_type not in content:
        return (
            f"{method.upper()} {path} {answer['status']} answered {media_type!r}; "
            f"the document lists {sorted(content)}"
        )
    schema = content[media_type]["schema"]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(answer["body"])]
    if errors:
        return f"{method.upper()} {path} {answer['status']}: " + "; ".join(errors)
    return None


if __name__ == "__main__":
    main(sys.argv[1])
