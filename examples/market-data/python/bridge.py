#!/usr/bin/env python3
"""Data bridge for the market-data example, written from docs/protocol.md alone.

Publishes `tick` messages on `market.ticks` through a Switchboard hub over WebSocket, using only the
standard library and the `websockets` package (Debian: python3-websockets; asyncio API). Every
`invalid_every`-th tick is deliberately broken and must be refused with CONTRACT_VIOLATION.

Every publish carries an `id` (its `ok`/`err` comes back with `re` equal to it) and a `msg_id`
(idempotency key; it becomes the envelope's `id`). The tick's `sent_at` is the bridge's wall clock in
epoch milliseconds (fractional), taken just before the frame is written.

With --orders it publishes `order` messages on `market.orders` instead: a 64-bit `order_id`, a nanosecond
`ts_ns` (time.time_ns()) and a `decimal.Decimal` price with 18 significant digits, written as exact JSON text
(json.dumps would turn the Decimal into a float), so that a consumer can check it receives every digit.

Output on stdout, one JSON object per line after the `ready` line:
  ready data-bridge session=<id> heartbeat_ms=<n>
  {"event":"order","i":<n>,"data":"<the data's JSON text>"}   with --orders, one per order sent
  {"event":"refused", ...}      one per refused tick
  {"event":"summary", ...}      last line: sent, acked, refused by code, errors, first/last seq
Exit status: 0 when every valid tick was acknowledged and every invalid one refused with
CONTRACT_VIOLATION, 1 otherwise, 2 when the hub could not be reached or refused the hello.

Run: /usr/bin/python3 bridge.py --count 2000 --rate 500   (see --help; options also read from env)
"""

import argparse
import asyncio
import decimal
import json
import os
import signal
import sys
import time

import websockets

SYMBOLS = ["EURUSD", "GBPUSD", "USDJPY", "AUDUSD"]
BREAKAGES = ["string bid", "lower-case symbol", "missing ask", "unknown field", "zero bid"]


def now_ms():
    """Wall clock in epoch milliseconds, with sub-millisecond precision."""
    return time.time_ns() / 1e6


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def parse_args(argv):
    p = argparse.ArgumentParser(description="Publish ticks on market.ticks through a Switchboard hub.")
    p.add_argument("--url", default=os.environ.get("SWITCHBOARD_URL", "ws://127.0.0.1:7700/v1/ws"),
                   help="hub WebSocket URL (env SWITCHBOARD_URL; default %(default)s)")
    p.add_argument("--count", type=int, default=env_int("BRIDGE_COUNT", 1000),
                   help="ticks to publish (env BRIDGE_COUNT; default %(default)s)")
    p.add_argument("--rate", type=float, default=float(os.environ.get("BRIDGE_RATE") or 200),
                   help="ticks per second (env BRIDGE_RATE; default %(default)s)")
    p.add_argument("--invalid-every", type=int, default=env_int("BRIDGE_INVALID_EVERY", 50),
                   help="every n-th tick is invalid, 0 for none (env BRIDGE_INVALID_EVERY; default %(default)s)")
    p.add_argument("--run-id", default=os.environ.get("BRIDGE_RUN_ID") or "bridge-%d-%d" % (os.getpid(), time.time()),
                   help="prefix of every msg_id: tick i gets <run-id>-<i> (env BRIDGE_RUN_ID)")
    p.add_argument("--reply-timeout", type=float, default=10.0,
                   help="seconds to wait for outstanding replies after the last tick (default %(default)s)")
    p.add_argument("--component", default="data-bridge", help="component id sent in hello (default %(default)s)")
    p.add_argument("--orders", action="store_true",
                   help="publish exact `order` messages on market.orders instead of ticks (64-bit id, ns timestamp, Decimal price)")
    args = p.parse_args(argv)
    if args.count < 0 or args.rate <= 0 or args.invalid_every < 0:
        p.error("--count must be >= 0, --rate > 0, --invalid-every >= 0")
    return args


def make_tick(i, invalid_every):
    """Tick number i (from 1); returns (data, broken_how or None). sent_at is filled in at send time."""
    symbol = SYMBOLS[i % len(SYMBOLS)]
    mid = 1 + (i % 100) / 1000
    tick = {"symbol": symbol, "bid": round(mid, 6), "ask": round(mid + 0.0002, 6)}
    if invalid_every <= 0 or i % invalid_every != 0:
        return tick, None
    how = BREAKAGES[(i // invalid_every) % len(BREAKAGES)]
    if how == "string bid":
        tick["bid"] = str(tick["bid"])
    elif how == "lower-case symbol":
        tick["symbol"] = symbol.lower()
    elif how == "missing ask":
        del tick["ask"]
    elif how == "unknown field":
        tick["venue"] = "XLON"
    else:
        tick["bid"] = 0
    return tick, how


ORDER_ID_BASE = 9_223_372_036_854_775_000   # near the largest Java long (2^63 - 1): beyond any double's precision
PRICE = decimal.Decimal("1.08410000000000001")  # 18 significant digits: one more than a double holds
PRICE_STEP = decimal.Decimal("1E-17")


def order_text(i):
    """Order number i (from 1) as JSON text. Python's ints are exact in JSON; the Decimal is written as its digits."""
    price = PRICE + i * PRICE_STEP
    return '{"order_id":%d,"ts_ns":%d,"price":%s,"side":"buy"}' % (ORDER_ID_BASE + i, time.time_ns(), price)


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")), flush=True)


class Bridge:
    def __init__(self, args):
        self.args = args
        self.pending = {}          # frame id -> (tick number, broken_how)
        self.acked = 0
        self.duplicates = 0
        self.refused = {}          # code -> count
        self.refused_ids = []      # msg_ids refused
        self.unexpected = []       # a valid tick refused, an invalid one accepted
        self.errors = []           # err frames without re, unknown re, connection problems
        self.first_seq = None
        self.last_seq = None
        self.pongs = 0
        self.sent = 0
        self.invalid_sent = 0
        self.all_answered = asyncio.Event()
        self.sending_done = False
        self.stop = asyncio.Event()

    def msg_id(self, i):
        return "%s-%d" % (self.args.run_id, i)

    def on_frame(self, frame):
        op = frame.get("op")
        if op == "pong":
            self.pongs += 1
            return
        if op not in ("ok", "err"):
            return  # this bridge subscribes to nothing; unknown ops are ignored as the protocol says
        re = frame.get("re")
        if re is None or re not in self.pending:
            self.errors.append({"unmatched": frame})
            return
        i, broken = self.pending.pop(re)
        if op == "ok":
            self.acked += 1
            seq = frame.get("seq")
            if frame.get("duplicate"):
                self.duplicates += 1
            if isinstance(seq, int):
                self.first_seq = seq if self.first_seq is None else min(self.first_seq, seq)
                self.last_seq = seq if self.last_seq is None else max(self.last_seq, seq)
            if broken:
                self.unexpected.append({"tick": i, "msg_id": self.msg_id(i), "broken": broken, "got": "ok", "seq": seq})
        else:
            code = frame.get("code", "?")
            self.refused[code] = self.refused.get(code, 0) + 1
            self.refused_ids.append(self.msg_id(i))
            emit({"event": "refused", "tick": i, "msg_id": self.msg_id(i), "broken": broken, "code": code,
                  "message": frame.get("message"), "details": frame.get("details")})
            if not broken or code != "CONTRACT_VIOLATION":
                self.unexpected.append({"tick": i, "msg_id": self.msg_id(i), "broken": broken, "got": code,
                                        "message": frame.get("message")})
        if self.sending_done and not self.pending:
            self.all_answered.set()

    async def reader(self, ws):
        try:
            async for raw in ws:
                try:
                    frame = json.loads(raw)
                except ValueError:
                    self.errors.append({"bad_frame": str(raw)[:200]})
                    continue
                if isinstance(frame, dict):
                    self.on_frame(frame)
        except websockets.ConnectionClosed as e:
            self.errors.append({"closed": "code %s %s" % (e.code, e.reason)})
        finally:
            self.stop.set()
            self.all_answered.set()

    async def pinger(self, ws, heartbeat_ms):
        # The hub drops a client silent for 2 x heartbeat_ms; a ping every half period keeps us well inside.
        n = 0
        while True:
            await asyncio.sleep(heartbeat_ms / 2000)
            n += 1
            await ws.send(json.dumps({"op": "ping", "id": "ping-%d" % n}))

    async def publish_all(self, ws):
        args = self.args
        start = time.monotonic()
        for i in range(1, args.count + 1):
            if self.stop.is_set():
                break
            if args.orders:
                data, broken = order_text(i), None
                self.pending[i] = (i, broken)
                emit({"event": "order", "i": i, "data": data})
                head = json.dumps({"op": "pub", "id": i, "ch": "market.orders", "type": "order", "msg_id": self.msg_id(i)},
                                  separators=(",", ":"))
                await ws.send(head[:-1] + ',"data":' + data + '}')
            else:
                data, broken = make_tick(i, args.invalid_every)
                self.pending[i] = (i, broken)
                data["sent_at"] = now_ms()
                await ws.send(json.dumps({"op": "pub", "id": i, "ch": "market.ticks", "type": "tick",
                                          "msg_id": self.msg_id(i), "data": data}, separators=(",", ":")))
            self.sent += 1
            if broken:
                self.invalid_sent += 1
            wait = start + i / args.rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        self.sending_done = True
        if not self.pending:
            self.all_answered.set()
        return time.monotonic() - start

    def summary(self, elapsed):
        ok = (not self.unexpected and not self.errors and not self.pending
              and self.acked == self.sent - self.invalid_sent and self.sent == self.args.count)
        return {"event": "summary", "component": self.args.component, "ok": ok, "run_id": self.args.run_id,
                "sent": self.sent, "valid": self.sent - self.invalid_sent, "invalid": self.invalid_sent,
                "acked": self.acked, "duplicates": self.duplicates, "refused": self.refused,
                "refused_msg_ids": self.refused_ids, "unanswered": len(self.pending),
                "unexpected": self.unexpected[:20], "errors": self.errors[:20], "error_count": len(self.errors),
                "first_seq": self.first_seq, "last_seq": self.last_seq, "pongs": self.pongs,
                "elapsed_s": round(elapsed, 3),
                "rate": round(self.sent / elapsed, 1) if elapsed > 0 else None}


async def hello(ws, args):
    frame = {"op": "hello", "id": "hello", "component": args.component, "version": "1.0.0"}
    token = os.environ.get("SWITCHBOARD_TOKEN")
    if token:
        frame["token"] = token
    await ws.send(json.dumps(frame))
    while True:
        reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if reply.get("re") != "hello":
            continue
        if reply.get("op") != "welcome":
            raise RuntimeError("hello refused: %s %s" % (reply.get("code"), reply.get("message")))
        return reply


async def main(args):
    loop = asyncio.get_running_loop()
    try:
        # compression off (the hub does not negotiate it); the protocol's own ping replaces library pings.
        ws = await websockets.connect(args.url, subprotocols=["switchboard.v1"], compression=None,
                                      ping_interval=None, max_size=4 * 2**20, open_timeout=10)
    except Exception as e:  # noqa: BLE001 -- any failure to connect ends the run with a clear line
        emit({"event": "summary", "component": args.component, "ok": False, "errors": [{"connect": repr(e)}]})
        return 2
    try:
        welcome = await hello(ws, args)
    except Exception as e:  # noqa: BLE001
        emit({"event": "summary", "component": args.component, "ok": False, "errors": [{"hello": str(e)}]})
        await ws.close()
        return 2
    heartbeat_ms = welcome.get("heartbeat_ms", 15000)
    print("ready %s session=%s heartbeat_ms=%s" % (args.component, welcome.get("session"), heartbeat_ms), flush=True)

    bridge = Bridge(args)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, bridge.stop.set)
    reader = asyncio.create_task(bridge.reader(ws))
    pinger = asyncio.create_task(bridge.pinger(ws, heartbeat_ms))
    elapsed = 0.0
    try:
        elapsed = await bridge.publish_all(ws)
        waiter = asyncio.create_task(bridge.all_answered.wait())
        stopper = asyncio.create_task(bridge.stop.wait())
        await asyncio.wait([waiter, stopper], timeout=args.reply_timeout, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()
    except websockets.ConnectionClosed as e:
        bridge.errors.append({"closed": "code %s %s" % (e.code, e.reason)})
    finally:
        pinger.cancel()
        await ws.close()
        reader.cancel()
    summary = bridge.summary(elapsed)
    emit(summary)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args(sys.argv[1:]))))
