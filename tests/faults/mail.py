"""Mail stand-ins for the fault tests: a backend that waits inside send, and a small real SMTP server."""

import email
import os
import socketserver
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class Mailbox:
    """A directory shared with worker processes: the attempts to send, the gate, and the accepted messages."""

    def __init__(self, path):
        self.path = Path(path)
        (self.path / "attempts").mkdir(parents=True, exist_ok=True)
        (self.path / "accepted").mkdir(exist_ok=True)

    def attempts(self):
        """The process id of each attempt that reached the mail server, accepted or not."""
        return [int(marker.name.split("-")[0]) for marker in (self.path / "attempts").iterdir()]

    def accepted(self):
        return [email.message_from_bytes(path.read_bytes()) for path in sorted((self.path / "accepted").glob("*.eml"))]

    def open(self):
        """Let the mail server accept messages, from now on."""
        (self.path / "open").touch()

    def is_open(self):
        return (self.path / "open").exists()


class GatedBackend(BaseEmailBackend):
    """A mail server that accepts a message only once the test opens the gate.

    Each attempt leaves a marker named after the sending process, so the test knows whom to kill while the
    worker is inside send; a message counts as delivered only when it is written to `accepted/`.
    """

    def send_messages(self, email_messages):
        mailbox = Mailbox(settings.FAULT_MAILBOX)
        (mailbox.path / "attempts" / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
        while not mailbox.is_open():
            time.sleep(0.05)
        for message in email_messages:
            accepted = mailbox.path / "accepted" / f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
            partial = accepted.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            partial.rename(accepted)
        return len(email_messages)


class _SMTPSession(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 fault-test ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fault-test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.accepted.append(email.message_from_bytes(self._read_data()))
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self):
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class _ThreadingServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # the port may still hold connections of an earlier run in TIME_WAIT
    daemon_threads = True


class SMTPServer:
    """A real SMTP server on 127.0.0.1:`port`, in a thread of the test process; `accepted` holds what it received."""

    def __init__(self, port):
        self.port = port
        self.accepted = []
        self._server = None

    def start(self):
        server = _ThreadingServer(("127.0.0.1", self.port), _SMTPSession)
        server.accepted = self.accepted
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._server = server

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
