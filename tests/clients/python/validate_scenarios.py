"""Validates scenario files against scenarios/schema.json (draft 2020-12).

Usage: validate_scenarios.py SCHEMA FILE...
Prints one JSON line: {"FILE": [error, ...], ...} (an empty list: valid).
"""

import json
import sys

import jsonschema


def main():
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    out = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        out[path] = [
            f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(doc)
        ]
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
