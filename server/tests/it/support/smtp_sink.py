#!/usr/bin/env python3
"""A real SMTP server for the mail tests and the outbox benchmark (aiosmtpd), controllable from the command line.

Each accepted message is written whole, as received, to <dir>/<n>.eml (n counts from 1, written to a temporary
name first and renamed, so a reader never sees half a message). Faults on demand:

  --fail-first N      answer "451 try again later" to the first N messages (counted over the sink's lifetime)
  --reject ADDRESS    answer "550 no such user" at RCPT for that recipient (repeatable)

A message with a bare CR or LF in its data is refused with 554 and not stored: the portal must never send one.
The sink prints "READY <port>" on stdout once it listens, and runs until killed.
"""

import argparse
import asyncio
import os
import re
import signal

from aiosmtpd.controller import Controller

BARE_LINE_ENDING = re.compile(rb"\r(?!\n)|(?<!\r)\n")


class Sink:
    def __init__(self, directory, fail_first, rejected):
        self.directory = directory
        self.fail_first = fail_first
        self.rejected = {address.lower() for address in rejected}
        self.seen = 0
        self.stored = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen <= self.fail_first:
            return "451 4.3.0 try again later"
        data = envelope.original_content or b""
        if BARE_LINE_ENDING.search(data):
            return "554 5.6.0 bare CR or LF in the message"
        self.stored += 1
        name = os.path.join(self.directory, f"{self.stored:06d}.eml")
        partial = name + ".partial"
        with open(partial, "wb") as out:
            out.write(b"X-Sink-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(data)
        os.replace(partial, name)
        return "250 OK stored"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    port = args.port
    if port == 0:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    # decode_data=False keeps the bytes as sent; the size limit is generous for the benchmark's notices.
    controller = Controller(
        Sink(args.directory, args.fail_first, args.reject),
        hostname="127.0.0.1",
        port=port,
        decode_data=False,
        data_size_limit=10 * 1024 * 1024,
        ready_timeout=10,
    )
    controller.start()
    print(f"READY {port}", flush=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
