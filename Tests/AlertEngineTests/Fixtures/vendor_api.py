#!/usr/bin/env python3
"""A stand-in for Okta's /api/v1/logs and Duo's /admin/v2/logs/authentication, on 127.0.0.1,
for taser's poller tests. Prints its port, then serves until killed. Every request is appended
to the log file given as argv[1] (method, path, and whether its credentials checked out)."""
import base64, hashlib, hmac, json, os, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

LOG = sys.argv[1]
OKTA_TOKEN = "okta-token-7f3a9c2e"
DUO_IKEY, DUO_SKEY = "DIXXXXXXXXXXXXXXXXXX", "duo-secret-key-5d1b8e"
failures = {"after=2": 1}  # the first request for page 2 fails with a 500


def okta_event(n, user):
    return {"uuid": f"okta-{n}", "published": f"2026-11-02T10:0{n}:00.000Z", "eventType": "user.session.start",
            "severity": "INFO", "displayMessage": "User login to Okta",
            "actor": {"id": f"00u{n}", "type": "User", "alternateId": f"{user}@example.com", "displayName": user},
            "client": {"ipAddress": f"73.162.10.{n}"}, "outcome": {"result": "SUCCESS"},
            "debugContext": {"debugData": {"behaviors": "{New Geo-Location=NEGATIVE, New Device=NEGATIVE}"}}}


def duo_log(n):
    return {"txid": f"duo-{n}", "event_type": "authentication", "factor": "duo_push", "result": "denied",
            "reason": "user_cancelled", "isotimestamp": f"2026-11-02T11:0{n}:00+00:00", "timestamp": 1793617200 + n,
            "user": {"name": "jane.doe", "key": "DU1"}, "access_device": {"ip": "185.220.101.4"}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, ok):
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} {'auth-ok' if ok else 'auth-bad'}\n")

    def send(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/api/v1/logs":
            ok = self.headers.get("Authorization") == f"SSWS {OKTA_TOKEN}"
            self.record(ok)
            if not ok:
                return self.send(401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided"})
            base = f"http://127.0.0.1:{self.server.server_port}/api/v1/logs"
            for key, left in list(failures.items()):
                if key in url.query and left > 0:
                    failures[key] = left - 1
                    return self.send(500, {"errorSummary": "try again"})
            if "after=2" in url.query:
                return self.send(200, [okta_event(3, "carol")], [("Link", f'<{base}?after=3&limit=1000>; rel="next"')])
            if "after=3" in url.query:
                return self.send(200, [], [("Link", f'<{base}?after=3&limit=1000>; rel="next"')])
            return self.send(200, [okta_event(1, "alice"), okta_event(2, "bob")],
                             [("Link", f'<{base}?since=x>; rel="self"'), ("Link", f'<{base}?after=2&limit=1000>; rel="next"'),
                              ("X-Rate-Limit-Remaining", "100")])
        if url.path == "/admin/v2/logs/authentication":
            params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            canon = "\n".join([self.headers.get("Date", ""), "GET", self.headers.get("Host", "").lower(), url.path,
                               "&".join(f"{urllib.parse.quote(k, '~')}={urllib.parse.quote(v, '~')}" for k, v in sorted(params))])
            sig = hmac.new(DUO_SKEY.encode(), canon.encode(), hashlib.sha1).hexdigest()
            expected = "Basic " + base64.b64encode(f"{DUO_IKEY}:{sig}".encode()).decode()
            ok = self.headers.get("Authorization") == expected
            self.record(ok)
            if not ok:
                return self.send(401, {"stat": "FAIL", "code": 40103, "message": "Invalid signature in request credentials"})
            query = dict(params)
            if "next_offset" in query:
                return self.send(200, {"stat": "OK", "response": {"authlogs": [duo_log(3)], "metadata": {"total_objects": 3}}})
            return self.send(200, {"stat": "OK", "response": {"authlogs": [duo_log(1), duo_log(2)],
                                                              "metadata": {"next_offset": ["1793617202000", "duo-2"], "total_objects": 3}}})
        self.record(False)
        self.send(404, {"error": "not found"})


def exit_with_parent():
    # The test holds our stdin open; when it ends (or crashes), so do we.
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
