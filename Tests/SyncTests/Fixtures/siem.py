#!/usr/bin/env python3
"""Stand-ins for the SIEMs Sync forwards to over HTTP, on one port on 127.0.0.1: Splunk's HTTP
Event Collector (POST /services/collector/event) and Elasticsearch's bulk API (POST /_bulk), which
honours _id as Elasticsearch does (create on an existing _id: 409). Every request is recorded
(GET /_received); GET /_docs lists the stored documents by index/_id. POST /_fault {"prefix", "status",
"times", "after_store", "body", "item"} injects failures: a status (after storing the document when
after_store), or an Elasticsearch item error ({"status", "type", "reason"}). Prints its port, then
serves until its stdin closes."""
import base64, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEC_TOKEN = "hec-s3cret-5"
ES_API_KEY = "es-api-s3cret-6"
ES_USER, ES_PASSWORD = "taser", "es-pass-s3cret-7"
INDEXES = {"main", "security"}

lock = threading.Lock()
received, faults, docs = [], [], {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.reply(200, received if self.path == "/_received" else docs)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/_fault":
            with lock:
                faults.append(json.loads(raw))
            return self.reply(200, {"ok": True})
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": raw.decode()}
        with lock:
            received.append(record)
            fault = next((f for f in faults if self.path.startswith(f["prefix"]) and f.get("times", 1) > 0), None)
            if fault:
                fault["times"] = fault.get("times", 1) - 1
        if fault and fault.get("status") and not fault.get("after_store"):
            record["status"] = fault["status"]
            return self.reply(fault["status"], fault.get("body", {"error": "injected"}))
        status, answer = self.hec(raw) if self.path == "/services/collector/event" else self.bulk(raw, fault) if self.path == "/_bulk" else (404, {})
        if fault and fault.get("after_store"):
            status, answer = fault["status"], fault.get("body", {"error": "injected after storing"})
        record["status"] = status
        self.reply(status, answer)

    def hec(self, raw):
        auth = self.headers.get("Authorization", "")
        if not auth:
            return 401, {"text": "Token is required", "code": 2}
        if auth != "Splunk " + HEC_TOKEN:
            return 403, {"text": "Invalid token " + auth, "code": 4}
        event = json.loads(raw)
        if "index" in event and event["index"] not in INDEXES:
            return 400, {"text": "Incorrect index", "code": 7, "invalid-event-number": 0}
        return 200, {"text": "Success", "code": 0}

    def bulk(self, raw, fault):
        auth = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(("%s:%s" % (ES_USER, ES_PASSWORD)).encode()).decode()
        if auth not in ("ApiKey " + ES_API_KEY, basic):
            return 401, {"error": {"type": "security_exception", "reason": "unable to authenticate with " + auth}, "status": 401}
        if self.headers.get("Content-Type") != "application/x-ndjson" or not raw.endswith(b"\n"):
            return 400, {"error": {"type": "illegal_argument_exception", "reason": "bulk bodies are NDJSON ending in a newline"}}
        lines = raw.decode().splitlines()
        items = []
        for action_line, doc_line in zip(lines[0::2], lines[1::2]):
            (op, meta), = json.loads(action_line).items()
            doc, key = json.loads(doc_line), meta["_index"] + "/" + meta["_id"]
            item = {"_index": meta["_index"], "_id": meta["_id"]}
            with lock:
                if fault and fault.get("item"):
                    item.update(status=fault["item"]["status"], error={"type": fault["item"]["type"], "reason": fault["item"]["reason"]})
                elif op == "create" and key in docs:
                    item.update(status=409, error={"type": "version_conflict_engine_exception",
                                                   "reason": "[%s]: version conflict, document already exists (current version [1])" % meta["_id"]})
                else:
                    item["status"] = 200 if key in docs else 201
                    docs[key] = doc
            items.append({op: item})
        return 200, {"took": 1, "errors": any(i[op].get("error") for i in items for op in i), "items": items}


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
