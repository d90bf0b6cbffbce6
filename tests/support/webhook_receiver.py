#!/usr/bin/env python3
"""A webhook receiver standing in for the pager and the chat in the end-to-end tests.

Listens on 127.0.0.1 (on a free port, or on --port N), writes that port to <port-file> once it accepts
connections, and for every notification Alertmanager POSTs appends one line per alert in
it to <out-file>, tab-separated: the notification's number (from 1), the path (/pager,
/chat), the alert's status (firing, resolved), then its labels as name=value, sorted.
Answers 200 to every POST.

usage: webhook_receiver.py [--port N] <port-file> <out-file>
(scripts/demo.sh runs it on 9095, where alerts/alertmanager.yml sends pages and chat)
"""
import http.server
import json
import os
import sys
import threading


def main(port_file, out_file, port=0):
    received = [0]
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with lock, open(out_file, "a", encoding="utf-8") as out:
                received[0] += 1
                for alert in body.get("alerts", []):
                    labels = [f"{k}={v}" for k, v in sorted(alert.get("labels", {}).items())]
                    fields = [str(received[0]), self.path, alert.get("status", "")] + labels
                    out.write("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    temporary = port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as port:
        port.write(str(server.server_address[1]))
    os.rename(temporary, port_file)
    server.serve_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = 0
    if len(args) == 4 and args[0] == "--port" and args[1].isdigit():
        chosen = int(args[1])
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    main(*args, port=chosen)
