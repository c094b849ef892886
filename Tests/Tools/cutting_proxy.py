#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that drops streaming connections, for resume tests.

Usage: cutting_proxy.py UPSTREAM_PORT CUT_AFTER_BYTES CUTS

Forwards every connection to 127.0.0.1:UPSTREAM_PORT. The first CUTS connections whose request
is a `GET …/out` (the session's output stream) are closed, both ways, after CUT_AFTER_BYTES of
response: a dropped connection in the middle of an answer, as a flaky network makes one.
Prints `listening <port>` when ready. Runs until killed.
"""

import asyncio
import sys

UPSTREAM_PORT = int(sys.argv[1])
CUT_AFTER = int(sys.argv[2])
cuts_left = int(sys.argv[3])


class Connection:
    """One proxied TCP connection; a `GET …/out` request on it arms the cut."""

    def __init__(self):
        self.budget = None  # bytes of response still allowed through once armed

    def watch_request(self, data):
        global cuts_left
        if data.startswith(b"GET ") and b"/out" in data.split(b"\r\n", 1)[0] and cuts_left > 0:
            cuts_left -= 1
            self.budget = CUT_AFTER


async def upward(connection, reader, writer):
    try:
        while data := await reader.read(65536):
            connection.watch_request(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass


async def downward(connection, reader, writer):
    try:
        while data := await reader.read(4096):
            if connection.budget is not None:
                if len(data) >= connection.budget:
                    writer.write(data[: connection.budget])
                    await writer.drain()
                    return
                connection.budget -= len(data)
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass


async def handle(client_reader, client_writer):
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM_PORT)
    connection = Connection()
    up = asyncio.ensure_future(upward(connection, client_reader, upstream_writer))
    await downward(connection, upstream_reader, client_writer)
    up.cancel()
    for writer in (client_writer, upstream_writer):
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
