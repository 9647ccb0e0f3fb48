#!/usr/bin/env python3
"""Stand-ins for the systems Sync delivers to, on one port on 127.0.0.1: TheHive 5 (/api/v1/...,
with its objects kept, PATCH applied, and the query API's list/get/tasks/logs/observables/filter/
sort/page steps, so a pull reads back what changed; POST /_hive/edit, /_hive/log and
/_hive/observable act as a TheHive user would, /_hive/delete removes an object, GET /_hive/object/ID
shows an object),
Slack's Web API (/slack/api/...: chat.postMessage, users.lookupByEmail, users.info,
conversations.create with name_taken for names already made, conversations.invite) and an incoming webhook (/slack/hook/...), Jira (/rest/api/2/...)
and a generic webhook (/hook/...). Every request is recorded (GET /_received); failures are
injected with POST /_fault {"prefix", "status", "times", "retry_after", "delay", "body"}; POST
/_reset clears both. Credentials are checked, and a wrong one is echoed back in the error (so
tests can prove taser takes it out of what it records). Prints its port, then serves until its
stdin closes."""
import base64, hashlib, hmac, itertools, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

HIVE_KEY = "hive-key-s3cret-1"
SLACK_TOKEN = "xoxb-slack-s3cret-2"
JIRA_USER, JIRA_TOKEN = "bot@acme.example", "jira-s3cret-3"
HOOK_SECRET = "hook-s3cret-4"
SLACK_USERS = {"jdoe@acme.example": "U0JDOE", "ben@acme.example": "U0BEN"}
SLACK_NAMES = {"U0JDOE": "jdoe", "U0BEN": "ben.analyst"}
# Channel names already taken in the workspace (conversations.create answers name_taken).
slack_channels = {"general": "C0GENERAL"}

lock = threading.Lock()
received, faults = [], []
counter = itertools.count(1)
alerts_by_ref = {}
BOT_LOGIN = "taser-bot@hive.example"
objects = {}        # id -> TheHive object (public fields, plus "_parent" and "_kind")
last_tick = [0]


def tick():
    """TheHive's clock: epoch ms, never the same twice."""
    with lock:
        last_tick[0] = max(int(time.time() * 1000), last_tick[0] + 1)
        return last_tick[0]


def make(kind, oid, fields, by, parent=None):
    obj = dict(fields)
    obj.update({"_id": oid, "_type": kind, "_createdBy": by, "_createdAt": tick(), "_kind": kind, "_parent": parent})
    with lock:
        objects[oid] = obj
    return public(obj)


def public(obj):
    return {k: v for k, v in obj.items() if k not in ("_kind", "_parent")}


def edit(oid, fields, by):
    with lock:
        obj = objects.get(oid)
    if obj is None:
        return None
    at = tick()
    with lock:
        obj.update(fields)
        obj["_updatedAt"] = at
        obj["_updatedBy"] = by
    return public(obj)


def matches(obj, f):
    """TheHive's filter operators, as far as a pull and the tests use them."""
    if "_and" in f:
        return all(matches(obj, x) for x in f["_and"])
    if "_or" in f:
        return any(matches(obj, x) for x in f["_or"])
    if "_field" in f:
        return obj.get(f["_field"]) == f["_value"]
    for op, test in (("_gte", lambda a, b: a >= b), ("_lte", lambda a, b: a <= b), ("_gt", lambda a, b: a > b),
                     ("_lt", lambda a, b: a < b), ("_eq", lambda a, b: a == b)):
        if op in f:
            v = obj.get(f[op]["_field"])
            return v is not None and test(v, f[op]["_value"])
    return True


def run_query(steps):
    current = []
    for step in steps:
        name = step["_name"]
        with lock:
            everything = list(objects.values())
        if name in ("listCase", "listAlert"):
            current = [o for o in everything if o["_kind"] == name[4:]]
        elif name in ("getCase", "getAlert"):
            current = [o for o in everything if o["_id"] == step["idOrName"] and o["_kind"] == name[3:]]
            if not current:
                return None
        elif name in ("tasks", "logs", "observables"):
            kind = {"tasks": "Task", "logs": "Log", "observables": "Observable"}[name]
            ids = {o["_id"] for o in current}
            current = [o for o in everything if o["_kind"] == kind and o["_parent"] in ids]
        elif name == "filter":
            current = [o for o in current if matches(o, step)]
        elif name == "sort":
            for field in reversed(step["_fields"]):
                (key, order), = field.items()
                current.sort(key=lambda o: o.get(key) or 0, reverse=(order == "desc"))
        elif name == "page":
            current = current[step["from"]:step["to"]]
        elif name == "count":
            return len(current)
    return [public(o) for o in current]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=None, headers=()):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self): self.handle_any("GET")
    def do_POST(self): self.handle_any("POST")
    def do_PATCH(self): self.handle_any("PATCH")
    def do_PUT(self): self.handle_any("PUT")

    def handle_any(self, method):
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/_received":
            with lock:
                return self.reply(200, received)
        if url.path == "/_fault":
            with lock:
                faults.append(json.loads(raw))
            return self.reply(200, {"ok": True})
        if url.path.startswith("/_hive/"):
            return self.hive_control(url.path, json.loads(raw) if raw else {})
        if url.path == "/_reset":
            with lock:
                received.clear()
                faults.clear()
                for name in [n for n in slack_channels if n != "general"]:
                    del slack_channels[name]
            return self.reply(200, {"ok": True})
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        record = {"method": method, "path": url.path, "query": parse_qs(url.query),
                  "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body, "status": None}
        if url.path.startswith("/hook"):
            expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            record["signature_ok"] = hmac.compare_digest(expected, self.headers.get("X-Taser-Signature", ""))
        with lock:
            received.append(record)
            fault = next((f for f in faults if url.path.startswith(f["prefix"]) and f.get("times", 1) > 0), None)
            if fault:
                fault["times"] = fault.get("times", 1) - 1
        if fault and fault.get("delay"):
            time.sleep(fault["delay"])
        if fault and fault.get("status"):
            record["status"] = fault["status"]
            headers = [("Retry-After", str(fault["retry_after"]))] if "retry_after" in fault else []
            return self.reply(fault["status"], fault.get("body", {"type": "InjectedFault", "message": "injected"}), headers)
        status, answer = self.route(method, url, body)
        record["status"] = status
        self.reply(status, answer if answer is not None else None)

    def hive_control(self, path, body):
        """What a TheHive user does in TheHive's UI."""
        if path.startswith("/_hive/object/"):
            with lock:
                obj = objects.get(path[len("/_hive/object/"):])
            return self.reply(200 if obj else 404, public(obj) if obj else {"message": "no such object"})
        if path == "/_hive/delete":
            with lock:
                gone = objects.pop(body["id"], None)
            return self.reply(200 if gone else 404, {"deleted": body["id"]})
        if path == "/_hive/edit":
            obj = edit(body["id"], body["set"], body["by"])
            return self.reply(200 if obj else 404, obj or {"message": "no such object"})
        if path == "/_hive/log":
            with lock:
                task = next((o for o in objects.values() if o["_kind"] == "Task" and o["_parent"] == body["case"]
                             and o["title"] == body.get("task", "Investigation")), None)
            if task is None:
                task = make("Task", "~task%d" % next(counter), {"title": body.get("task", "Investigation")}, body["by"], body["case"])
            log = make("Log", "~log%d" % next(counter), {"message": body["message"]}, body["by"], task["_id"])
            return self.reply(201, log)
        if path == "/_hive/observable":
            obs = make("Observable", "~obs%d" % next(counter), {"dataType": body["dataType"], "data": body["data"]}, body["by"], body["parent"])
            return self.reply(201, obs)
        return self.reply(404, {"message": "no " + path})

    def route(self, method, url, body):
        p = url.path
        auth = self.headers.get("Authorization", "")
        if p.startswith("/api/v1/"):
            if auth != "Bearer " + HIVE_KEY:
                return 401, {"type": "AuthenticationError", "message": "Authentication failure for " + auth}
            n = next(counter)
            if p == "/api/v1/user/current" and method == "GET":
                return 200, {"_id": "~user1", "login": BOT_LOGIN, "name": "taser"}
            if p == "/api/v1/alert" and method == "POST":
                with lock:
                    if body["sourceRef"] in alerts_by_ref:
                        return 400, {"type": "CreateError", "message": "Alert %s already exists" % body["sourceRef"]}
                    alerts_by_ref[body["sourceRef"]] = "~alert%d" % n
                fields = {k: v for k, v in body.items() if k != "observables"}
                fields.update({"status": "New", "stage": "New"})
                alert = make("Alert", "~alert%d" % n, fields, BOT_LOGIN)
                for o in body.get("observables") or []:
                    make("Observable", "~obs%d" % next(counter), o, BOT_LOGIN, alert["_id"])
                return 201, alert
            if p == "/api/v1/query" and method == "POST":
                result = run_query(body["query"])
                if result is None:
                    return 404, {"type": "NotFound", "message": "no such object"}
                return 200, result
            if p == "/api/v1/case" and method == "POST":
                fields = dict(body)
                # TheHive 5 assigns a new case to whoever made it.
                fields.update({"number": n, "status": "New", "stage": "New", "assignee": BOT_LOGIN})
                return 201, make("Case", "~case%d" % n, fields, BOT_LOGIN)
            if p.endswith("/observable") and method == "POST":
                parent = p.split("/")[-2]
                return 201, [make("Observable", "~obs%d" % n, body, BOT_LOGIN, parent)]
            if p.endswith("/task") and method == "POST":
                return 201, make("Task", "~task%d" % n, body, BOT_LOGIN, p.split("/")[-2])
            if p.startswith("/api/v1/task/") and p.endswith("/log") and method == "POST":
                return 201, make("Log", "~log%d" % n, body, BOT_LOGIN, p.split("/")[-2])
            if method == "PATCH":
                edit(p.split("/")[-1], body, BOT_LOGIN)
                return 204, None
            return 404, {"type": "NotFoundError", "message": p}
        if p.startswith("/slack/api/"):
            if auth != "Bearer " + SLACK_TOKEN:
                return 200, {"ok": False, "error": "invalid_auth", "warning": "token " + auth}
            if p.endswith("/users.lookupByEmail"):
                email = parse_qs(url.query).get("email", [""])[0]
                if email in SLACK_USERS:
                    return 200, {"ok": True, "user": {"id": SLACK_USERS[email]}}
                return 200, {"ok": False, "error": "users_not_found"}
            if p.endswith("/conversations.create"):
                name = body.get("name", "")
                with lock:
                    if name in slack_channels:
                        return 200, {"ok": False, "error": "name_taken"}
                    slack_channels[name] = "C%05d" % next(counter)
                    return 200, {"ok": True, "channel": {"id": slack_channels[name], "name": name, "is_channel": True}}
            if p.endswith("/conversations.invite"):
                if not body.get("channel") or not body.get("users"):
                    return 200, {"ok": False, "error": "no_user"}
                return 200, {"ok": True, "channel": {"id": body["channel"]}}
            if p.endswith("/users.info"):
                user = parse_qs(url.query).get("user", [""])[0]
                if user in SLACK_NAMES:
                    return 200, {"ok": True, "user": {"id": user, "name": SLACK_NAMES[user], "profile": {"display_name": SLACK_NAMES[user].title()}}}
                return 200, {"ok": False, "error": "user_not_found"}
            if p.endswith("/chat.postMessage"):
                if not body.get("channel"):
                    return 200, {"ok": False, "error": "channel_not_found"}
                channel = body["channel"]
                return 200, {"ok": True, "channel": "D" + channel[1:] if channel.startswith("U") else channel,
                             "ts": "1700000000.%06d" % next(counter)}
            return 404, {"ok": False, "error": "unknown_method"}
        if p.startswith("/slack/hook/"):
            return 200, b"ok"
        if p.startswith("/rest/api/2/"):
            if auth != "Basic " + base64.b64encode(("%s:%s" % (JIRA_USER, JIRA_TOKEN)).encode()).decode():
                return 401, {"errorMessages": ["bad credentials " + auth]}
            n = next(counter)
            if p == "/rest/api/2/issue" and method == "POST":
                return 201, {"id": str(10000 + n), "key": "SEC-%d" % n, "self": "http://jira/rest/api/2/issue/%d" % n}
            if p.endswith("/comment") and method == "POST":
                return 201, {"id": str(n), "body": body["body"]}
            if method == "PUT":
                return 204, None
            return 404, {"errorMessages": ["no " + p]}
        if p.startswith("/hook"):
            return 200, {"status": "ok"}
        return 404, {"message": "no " + p}


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
