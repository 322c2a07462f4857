"""A mail server on the loopback, speaking enough SMTP (RFC 5321) for Django's SMTP backend: it
keeps the messages it accepts, and can be told to turn the next sessions away (421 at the greeting,
as a server that is down or overloaded does)."""

import email
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class SmtpStandIn:
    host: str
    port: int
    received: list[Message] = field(default_factory=list)
    refuse_next: int = 0
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Message]:
        return [message for message in self.received if address in message["To"]]


class _Session(socketserver.StreamRequestHandler):
    server: "_Server"

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        state = self.server.state
        with state.lock:
            state.sessions += 1
            refuse = state.refuse_next > 0
            state.refuse_next -= 1 if refuse else 0
        if refuse:
            self._say("421 4.3.2 Service momentanément indisponible")
            return
        self._say("220 stand-in ESMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 stand-in")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._say("250 2.0.0 OK")
            elif verb == "DATA":
                self._say("354 Fin par <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                with state.lock:
                    state.received.append(email.message_from_bytes(b"".join(lines)))
                self._say("250 2.0.0 Reçu")
            elif verb == "QUIT":
                self._say("221 2.0.0 Au revoir")
                return
            else:
                self._say("502 5.5.2 Commande inconnue")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: SmtpStandIn


def smtp_stand_in_start() -> tuple[SmtpStandIn, _Server]:
    server = _Server(("127.0.0.1", 0), _Session)
    server.state = SmtpStandIn(host="127.0.0.1", port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.state, server
