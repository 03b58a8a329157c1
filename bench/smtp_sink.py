"""SMTP sinks for the sending benchmark: each runs in a process of its own, accepts every
message, counts it in shared memory and throws it away.

Two kinds, so the benchmark can use whichever takes mail faster on the machine:

- `minimal`: a bare asyncio protocol that answers just the commands smtplib sends (EHLO, MAIL,
  RCPT, DATA, RSET, NOOP, QUIT) and does no parsing beyond finding line ends and the end of the
  data. About as fast as a sink written in Python can be.
- `aiosmtpd`: aiosmtpd's `Controller` with a handler that counts, as the test suite uses it.
"""

import asyncio
import multiprocessing
import socket
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any

END_OF_DATA = b"\r\n.\r\n"
REPLIES = {
    b"MAIL": b"250 OK\r\n",
    b"RCPT": b"250 OK\r\n",
    b"RSET": b"250 OK\r\n",
    b"NOOP": b"250 OK\r\n",
    b"HELO": b"250 sink\r\n",
    b"EHLO": b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
}


class MinimalSmtp(asyncio.Protocol):
    def __init__(self, received: "Synchronized[int]") -> None:
        self.received = received
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                # The data starts on a fresh line, so its end may also be a leading ".\r\n".
                end = (b"\r\n" + self.buffer).find(END_OF_DATA)
                if end < 0:
                    return
                self.buffer = self.buffer[end + len(END_OF_DATA) - 2 :]
                self.in_data = False
                self.received.value += 1
                self.transport.write(b"250 Message accepted\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            verb = self.buffer[:4].upper()
            self.buffer = self.buffer[line_end + 2 :]
            if verb == b"DATA":
                self.in_data = True
                self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 Bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(REPLIES.get(verb, b"502 Not implemented\r\n"))


def serve_minimal(port: int, received: "Synchronized[int]", ready: Any) -> None:
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: MinimalSmtp(received), "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


class CountingHandler:
    def __init__(self, received: "Synchronized[int]") -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.value += 1
        return "250 Message accepted"


def serve_aiosmtpd(port: int, received: "Synchronized[int]", ready: Any) -> None:
    import threading

    from aiosmtpd.controller import Controller

    controller = Controller(CountingHandler(received), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()


SERVERS = {"minimal": serve_minimal, "aiosmtpd": serve_aiosmtpd}


@dataclass
class Sink:
    kind: str
    port: int
    received: "Synchronized[int]"
    process: BaseProcess

    @property
    def messages(self) -> int:
        return self.received.value

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(kind: str) -> Sink:
    context = multiprocessing.get_context("spawn")
    received = context.Value("q", 0, lock=False)
    ready = context.Event()
    port = free_port()
    process = context.Process(
        target=SERVERS[kind], args=(port, received, ready), name=f"{kind} SMTP sink", daemon=True
    )
    process.start()
    if not ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError(f"the {kind} sink did not start")
    return Sink(kind, port, received, process)
