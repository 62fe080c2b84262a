"""A real SMTP server on 127.0.0.1 for tests: smtplib talks to it over a socket, and it keeps
the messages it accepts (its thread waits on the socket; tests never sleep).

    with LocalSmtp() as smtp:
        settings = AlertSettings(smtp_host="127.0.0.1", smtp_port=smtp.port,
                                 smtp_starttls=False, ...)
        ...
        (message,) = smtp.messages          # EmailMessage, parsed
    LocalSmtp(refuse=554)                    # answers DATA with 554: the message is rejected

Plain SMTP only (no STARTTLS, no AUTH): settings under test set smtp_starttls = false and no
smtp_user.
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import cast


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    refuse: int | None
    messages: list[EmailMessage]
    recipients: list[list[str]]
    lock: threading.Lock


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost ESMTP test")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
            elif verb == b"RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.data(recipients)
                recipients = []
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            elif verb in (b"HELO", b"MAIL", b"RSET", b"NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 Command not implemented")

    def data(self, recipients: list[str]) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        if self.server.refuse:
            self.reply(f"{self.server.refuse} 5.7.1 Message rejected")
            return
        raw = b"".join(lines).replace(b"\r\n", b"\n")  # as a mailbox stores it
        message = message_from_bytes(raw, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(cast(EmailMessage, message))
            self.server.recipients.append(recipients)
        self.reply("250 OK: queued")


class LocalSmtp:
    """An SMTP server on a free port of 127.0.0.1 while the `with` block runs."""

    def __init__(self, refuse: int | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.refuse = refuse
        self._server.messages = []
        self._server.recipients = []
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def messages(self) -> list[EmailMessage]:
        with self._server.lock:
            return list(self._server.messages)

    @property
    def recipients(self) -> list[list[str]]:
        """The envelope's recipients of each accepted message."""
        with self._server.lock:
            return list(self._server.recipients)

    def __enter__(self) -> LocalSmtp:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
