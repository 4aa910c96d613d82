"""A Python REST client that writes the expiry the way Python code usually
does, as a float: `time.time() + 3600`, and then as an integral float.

Usage: rest_float_expiry.py <port> <macaroon hex> <server now, unix seconds>
Prints one JSON line: for each attempt, the body sent, the HTTP status and
the response's JSON. Standard library only.
"""

import http.client
import json
import ssl
import sys
import time


def post(port, macaroon, body):
    # The test is about the JSON, not the certificate: do not verify it.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    text = json.dumps(body)
    conn.request(
        "POST",
        "/v1/autopilot/sessions",
        body=text,
        headers={"Grpc-Metadata-Macaroon": macaroon, "Content-Type": "application/json"},
    )
    resp = conn.getresponse()
    out = {"sent": text, "status": resp.status, "body": json.loads(resp.read())}
    conn.close()
    return out


def main():
    port, macaroon, server_now = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    features = {"HealthCheck": {}}
    expiry = time.time() + 3600
    if expiry == int(expiry):
        expiry += 0.5
    fractional = post(port, macaroon, {"expiry_timestamp_seconds": expiry, "features": features})
    integral = post(
        port,
        macaroon,
        {"expiry_timestamp_seconds": float(server_now + 86400), "features": features},
    )
    print(json.dumps({"fractional": fractional, "integral": integral}))


if __name__ == "__main__":
    main()
