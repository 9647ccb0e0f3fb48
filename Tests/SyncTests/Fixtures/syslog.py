#!/usr/bin/env python3
"""A stand-in syslog collector on 127.0.0.1: it reads each TCP connection to its end (EOF), keeps
its bytes and closes, as rsyslog does. With `--tls CERT KEY` it speaks TLS (RFC 5425). Its
control port answers GET /_received (each connection's bytes, base64, in order) and POST /_drop
{"times": n} (the next n connections are reset at once, unread). Prints both ports: the
collector's, then the control one; serves until its stdin closes."""
import base64, json, socket, ssl, struct, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
connections, drops = [], [0]
context = None
if len(sys.argv) == 4 and sys.argv[1] == "--tls":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])


def serve(conn):
    with lock:
        drop = drops[0] > 0
        drops[0] -= 1 if drop else 0
    if drop:
        # SO_LINGER 0: close() resets the connection instead of closing it.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        return
    data = b""
    try:
        conn.settimeout(30)
        if context:
            conn = context.wrap_socket(conn, server_side=True)
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()
    with lock:
        connections.append(base64.b64encode(data).decode())


def accept(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


class Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.reply(connections)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        with lock:
            drops[0] += request["times"]
        self.reply({"ok": True})


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
control = ThreadingHTTPServer(("127.0.0.1", 0), Control)
control.daemon_threads = True
print(listener.getsockname()[1], control.server_address[1], flush=True)
threading.Thread(target=accept, args=(listener,), daemon=True).start()
threading.Thread(target=control.serve_forever, daemon=True).start()
sys.stdin.read()
