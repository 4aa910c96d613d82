"""Decodes protobuf messages with the modules generated from litd's OFFICIAL
protos (see gen.sh) and prints them as protobuf's own JSON mapping, so a test
can compare the mock's REST JSON with an encoder that is not the mock's.

    to_json.py INPUT_FILE

INPUT_FILE holds one JSON object per line: {"type": "litrpc.<Message>",
"base64": "<the message's bytes>"}. Output: exactly one JSON line on stdout, a
list with one entry per input line: the message through
json_format.MessageToDict with proto field names and every field without
presence printed, plus `null` for every unset singular message field outside
a oneof: together, what protojson's EmitUnpopulated (litd's REST gateway)
prints. An unknown type or bytes that do not decode go to stderr and exit
non-zero.
"""

import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.environ.get("AUTOPILOT_MOCK_PYTHON_GEN") or os.path.join(HERE, "gen")
if not os.path.isfile(os.path.join(GEN, "lit_autopilot_pb2.py")):
    sys.stderr.write(
        f"to_json.py: generated modules not found in {GEN}; run scripts/test.sh\n"
    )
    sys.exit(2)
sys.path.insert(0, GEN)

from google.protobuf import json_format  # noqa: E402

import lit_autopilot_pb2 as litrpc  # noqa: E402


def map_key(key):
    """MessageToDict's JSON key for a map key: bools as true/false, else text."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def with_nulls(message, out):
    """Adds protojson's `null` for unset message fields to MessageToDict's `out`."""
    for field in message.DESCRIPTOR.fields:
        if field.message_type is None:
            continue
        value = getattr(message, field.name)
        if field.is_repeated:
            if field.message_type.GetOptions().map_entry:
                entry = field.message_type.fields_by_name["value"]
                if entry.message_type is not None:
                    for key, item in value.items():
                        with_nulls(item, out[field.name][map_key(key)])
            else:
                for i, item in enumerate(value):
                    with_nulls(item, out[field.name][i])
        elif message.HasField(field.name):
            with_nulls(value, out[field.name])
        elif field.containing_oneof is None:
            out[field.name] = None
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: to_json.py INPUT_FILE\n")
        return 2
    out = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            item = json.loads(line)
            package, _, name = item["type"].partition(".")
            cls = getattr(litrpc, name, None) if package == "litrpc" else None
            if cls is None:
                sys.stderr.write(f"line {number}: unknown type {item['type']}\n")
                return 1
            message = cls()
            message.ParseFromString(base64.b64decode(item["base64"]))
            as_dict = json_format.MessageToDict(
                message,
                preserving_proto_field_name=True,
                always_print_fields_with_no_presence=True,
            )
            out.append(with_nulls(message, as_dict))
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
