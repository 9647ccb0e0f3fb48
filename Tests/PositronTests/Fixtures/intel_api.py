#!/usr/bin/env python3
"""A stand-in for a GreyNoise-style reputation API on 127.0.0.1, for Positron's HTTP plugin
tests. Prints its port, then serves until its stdin closes (so a test that dies takes it along).
/ip/<ip> needs the header `key: intel-key-42`."""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "intel-key-42"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, kind="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.headers.get("key") != KEY:
            return self.reply(401, json.dumps({"error": "bad key"}))
        ip = self.path.rsplit("/", 1)[-1]
        if ip == "1.2.3.4":
            return self.reply(200, json.dumps({"ip": ip, "classification": "malicious", "noise": True, "name": "scanner"}))
        if ip == "5.5.5.5":
            return self.reply(200, "<html><body>502 Bad Gateway</body></html>", "text/html")
        if ip == "6.6.6.6":
            return self.reply(500, json.dumps({"error": "boom"}))
        if ip == "9.9.9.9":
            # An answer that never ends well: 80 MiB of JSON string, more than any reader keeps.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(80 << 20))
            self.end_headers()
            chunk = b"A" * (1 << 20)
            try:
                for _ in range(80):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if ip == "7.7.7.7":
            time.sleep(60)
            return self.reply(200, json.dumps({"classification": "late"}))
        return self.reply(404, json.dumps({"message": "not seen"}))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
