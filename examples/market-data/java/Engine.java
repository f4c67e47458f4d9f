// Core engine for the market-data example, written from docs/protocol.md alone.
//
// One file, JDK 17, no dependencies: `java Engine.java` (source-file mode). It connects to a Switchboard hub with
// java.net.http.WebSocket, says hello as component `core-engine`, subscribes to `market.ticks` as consumer group
// `engine` with manual ack, acknowledges every message after handling it, and pings every heartbeat_ms / 2.
//
// Output on stdout:
//   ready core-engine session=<id> sub=<sub> head=<seq>      once subscribed
//   {"event":"msg","seq":…,"id":"…","recv_ms":…,"latency_ms":…,"redelivered":0}   one per message (unless --quiet)
//   {"event":"parsed","seq":…,"data":{…},"types":{…}}        with --echo CH: what Java parsed (values and classes);
//                                                             the data is also published back to CH, as Java writes it
//   {"event":"summary",…}                                     last line: received, acked, first/last seq, gaps,
//                                                             duplicates, latency p50/p99 (from the tick's sent_at)
// It stops after --expect messages, after --idle-ms without a message, on SIGTERM/SIGINT, or when the hub closes.
// Exit status 0 when the stream was complete (no gap, duplicate or reordering; --expect reached when given).
//
// Latency is the receive time (epoch ms with sub-ms precision, taken when the frame's last fragment arrives)
// minus the tick's `sent_at` (the bridge's epoch ms): both sides must run on the same machine clock.
//
// Numbers are read without loss: integers as long (BigInteger beyond 64 bits), decimals as BigDecimal, so a 64-bit
// order id, a nanosecond timestamp and a price with 18 significant digits arrive exactly and are written back so.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

public class Engine {
    static final String USAGE = """
        Usage: java Engine.java [--url WS_URL] [--expect N] [--idle-ms MS] [--group NAME] [--from latest|earliest|SEQ] [--channel CH] [--quiet] [--echo CH]
          --url WS_URL    hub WebSocket URL (env SWITCHBOARD_URL; default ws://127.0.0.1:7700/v1/ws)
          --expect N      stop after N messages (env ENGINE_EXPECT; default 0 = no limit)
          --idle-ms MS    stop after MS without a message, once one arrived (env ENGINE_IDLE_MS; default 0 = never)
          --group NAME    consumer group (env ENGINE_GROUP; default engine)
          --from F        where a new group starts (env ENGINE_FROM; default latest)
          --channel CH    channel (default market.ticks)
          --quiet         no line per message, only ready and summary (env ENGINE_QUIET=1)
          --warmup N      before subscribing, N rounds of 100 pings to warm up the JVM (env ENGINE_WARMUP; default 30)
          --echo CH       print each message's data as parsed (values and Java classes) and publish it back to CH
        Environment: SWITCHBOARD_TOKEN (JWT, optional; omit in dev mode).""";

    // ---- settings ----
    final String url, token, channel, group, from, echo;
    final long expect, idleMs;
    final boolean quiet;
    final int warmupRounds;

    // ---- state (guarded by `this`) ----
    WebSocket ws;
    CompletableFuture<WebSocket> sendChain;
    final CompletableFuture<Map<String, Object>> welcome = new CompletableFuture<>();
    final CompletableFuture<Map<String, Object>> subReply = new CompletableFuture<>();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicBoolean summarised = new AtomicBoolean();
    final StringBuilder partial = new StringBuilder();
    final Set<Long> seen = new HashSet<>();
    final List<Double> latencies = new ArrayList<>();
    final List<Long> missing = new ArrayList<>();
    final List<Object> errors = new ArrayList<>();
    String subId, stopReason = "running";
    long received, acked, firstSeq = -1, lastSeq = -1, gaps, duplicates, outOfOrder, redelivered, pongs, head = -1;
    long lastMessageAt = System.nanoTime();

    Engine(Map<String, String> opt) {
        url = opt.getOrDefault("url", env("SWITCHBOARD_URL", "ws://127.0.0.1:7700/v1/ws"));
        token = env("SWITCHBOARD_TOKEN", "");
        channel = opt.getOrDefault("channel", "market.ticks");
        echo = opt.get("echo");
        group = opt.getOrDefault("group", env("ENGINE_GROUP", "engine"));
        from = opt.getOrDefault("from", env("ENGINE_FROM", "latest"));
        expect = Long.parseLong(opt.getOrDefault("expect", env("ENGINE_EXPECT", "0")));
        idleMs = Long.parseLong(opt.getOrDefault("idle-ms", env("ENGINE_IDLE_MS", "0")));
        quiet = opt.containsKey("quiet") || "1".equals(env("ENGINE_QUIET", ""));
        warmupRounds = Integer.parseInt(opt.getOrDefault("warmup", env("ENGINE_WARMUP", "30")));
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    static double nowMs() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) { System.out.println(USAGE); return; }
            if (a.equals("--quiet")) { opt.put("quiet", "1"); continue; }
            if (!a.startsWith("--") || i + 1 >= args.length) { System.err.println("unknown or incomplete option " + a + "\n" + USAGE); System.exit(2); }
            opt.put(a.substring(2), args[++i]);
        }
        Engine engine = new Engine(opt);
        warmUp();
        System.exit(engine.run());
    }

    /** Runs the JSON code hot before connecting, so the first ticks do not pay for the JIT compiler. */
    static void warmUp() {
        String sample = "{\"op\":\"msg\",\"sub\":\"s1\",\"msg\":{\"id\":\"w-1\",\"ch\":\"market.ticks\",\"type\":\"tick\",\"source\":\"data-bridge\","
            + "\"ts\":\"2026-01-01T00:00:00.000Z\",\"seq\":1,\"data\":{\"symbol\":\"EURUSD\",\"bid\":1.0841,\"ask\":1.0843,\"sent_at\":1.7e12},\"meta\":{}}}";
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            Map<String, Object> f = Json.obj(Json.parse(sample));
            sink += Json.write(Json.map("op", "ack", "sub", f.get("sub"), "seq", i)).length();
        }
        if (sink == 42) System.out.print("");
    }

    int run() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { stop("signal"); summary(); }));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            ws = http.newWebSocketBuilder().subprotocols("switchboard.v1").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new Listener()).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (this) { errors.add(Json.map("connect", String.valueOf(e.getCause() != null ? e.getCause() : e))); }
            stop("connect failed");
            summary();
            return 2;
        }
        synchronized (this) { sendChain = CompletableFuture.completedFuture(ws); }

        Map<String, Object> hello = Json.map("op", "hello", "id", "hello", "component", "core-engine", "version", "1.0.0");
        if (!token.isEmpty()) hello.put("token", token);
        send(hello);
        Map<String, Object> w = welcome.get(15, TimeUnit.SECONDS);
        if (!"welcome".equals(w.get("op"))) {
            synchronized (this) { errors.add(Json.map("hello", w)); }
            stop("hello refused");
            summary();
            return 2;
        }
        long heartbeat = w.get("heartbeat_ms") instanceof Number n ? n.longValue() : 15_000;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> { Thread t = new Thread(r, "ping"); t.setDaemon(true); return t; });
        long[] pingNo = {0};
        timer.scheduleAtFixedRate(() -> send(Json.map("op", "ping", "id", "ping-" + (++pingNo[0]))), heartbeat / 2, heartbeat / 2, TimeUnit.MILLISECONDS);

        warmUpSocket();
        Object fromValue = from.matches("\\d+") ? (Object) Long.parseLong(from) : from;
        send(Json.map("op", "sub", "id", "sub", "ch", channel, "group", group, "ack", "manual", "from", fromValue));
        Map<String, Object> s = subReply.get(15, TimeUnit.SECONDS);
        if (!"ok".equals(s.get("op"))) {
            synchronized (this) { errors.add(Json.map("sub", s)); }
            stop("subscribe refused");
            summary();
            return 2;
        }
        synchronized (this) {
            subId = (String) s.get("sub");
            head = s.get("head") instanceof Number n ? n.longValue() : -1;
            lastMessageAt = System.nanoTime();
        }
        System.out.println("ready core-engine session=" + w.get("session") + " sub=" + subId + " head=" + head);

        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            synchronized (this) {
                if (idleMs > 0 && received > 0 && System.nanoTime() - lastMessageAt > idleMs * 1_000_000L) stop("idle");
            }
        }
        try { // let the last acks go out, then close politely
            CompletableFuture<WebSocket> chain;
            synchronized (this) { chain = sendChain; }
            chain.get(5, TimeUnit.SECONDS);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the hub may already be gone; the summary says why the engine stopped
        }
        timer.shutdownNow();
        return summary() ? 0 : 1;
    }

    /**
     * Sends `ping`s in windows of 100 and waits for their `pong`s: the socket's send and receive path (and the JSON
     * code) is compiled by the JIT before the first tick arrives, so early ticks are not delayed by a cold JVM.
     */
    void warmUpSocket() throws InterruptedException {
        for (int round = 0; round < warmupRounds; round++) {
            long target;
            synchronized (this) { target = pongs + 100; }
            for (int k = 0; k < 100; k++) send(Json.map("op", "ping", "id", "warmup-" + round + "-" + k));
            long deadline = System.nanoTime() + 5_000_000_000L;
            synchronized (this) {
                while (pongs < target && System.nanoTime() < deadline) wait(50);
            }
        }
    }

    /** Sends one frame; java.net.http.WebSocket allows one outstanding send, so frames are chained. */
    synchronized void send(Map<String, Object> frame) {
        String text = Json.write(frame);
        sendChain = sendChain.thenCompose(w -> w.sendText(text, true)).exceptionally(e -> {
            synchronized (this) { errors.add(Json.map("send", String.valueOf(e))); }
            return ws;
        });
    }

    synchronized void stop(String reason) {
        if ("running".equals(stopReason)) stopReason = reason;
        done.countDown();
    }

    void onFrame(Map<String, Object> f, double recvMs) {
        Object op = f.get("op");
        Object re = f.get("re");
        if ("msg".equals(op)) { onMessage(f, recvMs); return; }
        if ("pong".equals(op)) { synchronized (this) { pongs++; notifyAll(); } return; }
        if ("hello".equals(re)) { welcome.complete(f); return; }
        if ("sub".equals(re)) { subReply.complete(f); return; }
        if ("err".equals(op)) synchronized (this) { if (errors.size() < 50) errors.add(f); }
    }

    void onMessage(Map<String, Object> f, double recvMs) {
        Map<String, Object> env = Json.obj(f.get("msg"));
        long seq = ((Number) env.get("seq")).longValue();
        Object sentAt = Json.obj(env.get("data")).get("sent_at");
        double latency = sentAt instanceof Number n ? recvMs - n.doubleValue() : Double.NaN;
        long redeliveries = f.get("redelivered") instanceof Number n ? n.longValue() : 0;
        boolean finished;
        synchronized (this) {
            if (done.getCount() == 0) return; // stopping: left unacknowledged, so the group delivers it again
            received++;
            lastMessageAt = System.nanoTime();
            if (redeliveries > 0) redelivered++;
            if (!seen.add(seq)) duplicates++;
            else {
                if (firstSeq < 0) firstSeq = seq;
                if (lastSeq >= 0 && seq < lastSeq) outOfOrder++;
                if (lastSeq >= 0 && seq > lastSeq + 1) {
                    gaps += seq - lastSeq - 1;
                    for (long m = lastSeq + 1; m < seq && missing.size() < 20; m++) missing.add(m);
                }
                if (seq > lastSeq) lastSeq = seq;
                if (!Double.isNaN(latency)) latencies.add(latency);
            }
            finished = expect > 0 && received >= expect;
        }
        if (!quiet) {
            System.out.println(Json.write(Json.map("event", "msg", "seq", seq, "id", env.get("id"), "recv_ms", recvMs,
                "latency_ms", Double.isNaN(latency) ? null : Math.round(latency * 1000) / 1000.0, "redelivered", redeliveries)));
        }
        if (echo != null) echoData(seq, Json.obj(env.get("data")));
        send(Json.map("op", "ack", "sub", f.get("sub"), "seq", seq));
        synchronized (this) { acked++; }
        if (finished) stop("count");
    }

    /** --echo: reports the data as Java holds it (each member's class) and publishes it back, written by Json.write. */
    void echoData(long seq, Map<String, Object> data) {
        Map<String, Object> types = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : data.entrySet()) types.put(e.getKey(), e.getValue() == null ? "null" : e.getValue().getClass().getSimpleName());
        System.out.println(Json.write(Json.map("event", "parsed", "seq", seq, "data", data, "types", types)));
        send(Json.map("op", "pub", "id", "echo-" + seq, "ch", echo, "type", "echo", "data", data));
    }

    /** Prints the summary line once; returns whether the stream was complete. */
    boolean summary() {
        if (!summarised.compareAndSet(false, true)) return false;
        synchronized (this) {
            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            boolean ok = gaps == 0 && duplicates == 0 && outOfOrder == 0 && (expect == 0 || received == expect)
                && received > 0 && errors.isEmpty() && !stopReason.contains("fail") && !stopReason.contains("refused");
            Map<String, Object> lat = Json.map("count", sorted.size(), "p50", pct(sorted, 50), "p99", pct(sorted, 99),
                "max", sorted.isEmpty() ? null : round3(sorted.get(sorted.size() - 1)),
                "mean", sorted.isEmpty() ? null : round3(sorted.stream().mapToDouble(d -> d).average().orElse(0)));
            System.out.println(Json.write(Json.map("event", "summary", "component", "core-engine", "ok", ok, "reason", stopReason,
                "received", received, "acked", acked, "head", head < 0 ? null : head, "first_seq", firstSeq < 0 ? null : firstSeq,
                "last_seq", lastSeq < 0 ? null : lastSeq, "gaps", gaps, "missing_seqs", missing, "duplicates", duplicates,
                "out_of_order", outOfOrder, "redelivered", redelivered, "pongs", pongs, "latency_ms", lat, "errors", errors)));
            System.out.flush();
            return ok;
        }
    }

    /** Nearest-rank percentile of an ascending list, rounded to the microsecond; null when empty. */
    static Double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return null;
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return round3(sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))));
    }

    static double round3(double v) { return Math.round(v * 1000) / 1000.0; }

    final class Listener implements WebSocket.Listener {
        @Override public void onOpen(WebSocket w) { w.request(1); }

        @Override public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                double recvMs = nowMs();
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onFrame(Json.obj(Json.parse(text)), recvMs);
                } catch (RuntimeException e) {
                    synchronized (Engine.this) { errors.add(Json.map("bad_frame", String.valueOf(e), "text", text.length() > 200 ? text.substring(0, 200) : text)); }
                }
            }
            w.request(1);
            return null;
        }

        @Override public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            if (done.getCount() > 0) {
                synchronized (Engine.this) { errors.add(Json.map("closed", code + " " + reason)); }
                stop("closed by hub");
            }
            welcome.complete(Json.map("op", "closed", "code", code, "reason", reason));
            subReply.complete(Json.map("op", "closed", "code", code, "reason", reason));
            return null;
        }

        @Override public void onError(WebSocket w, Throwable error) {
            synchronized (Engine.this) { errors.add(Json.map("socket", String.valueOf(error))); }
            welcome.complete(Json.map("op", "error", "message", String.valueOf(error)));
            subReply.complete(Json.map("op", "error", "message", String.valueOf(error)));
            stop("socket failed");
        }
    }

    /**
     * A minimal JSON reader and writer (the file must have no dependencies). Objects are LinkedHashMaps, arrays
     * ArrayLists, numbers Long (integers that fit), BigInteger (larger ones) or BigDecimal (decimals, exact), plus
     * String, Boolean and null.
     */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) { this.s = s; }

        static Object parse(String text) {
            Json p = new Json(text);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != text.length()) throw p.error("trailing characters");
            return v;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> obj(Object v) {
            if (v instanceof Map) return (Map<String, Object>) v;
            throw new IllegalArgumentException("expected a JSON object");
        }

        static Map<String, Object> map(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int k = 0; k < kv.length; k += 2) m.put((String) kv[k], kv[k + 1]);
            return m;
        }

        private IllegalArgumentException error(String what) { return new IllegalArgumentException("JSON: " + what + " at " + i); }

        private void ws() { while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++; }

        private Object value() {
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected '" + c + "'");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) throw error("expected " + word);
            i += word.length();
            return v;
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == '}') { i++; return m; }
            for (;;) {
                ws();
                if (i >= s.length() || s.charAt(i) != '"') throw error("expected a key");
                String k = string();
                ws();
                if (i >= s.length() || s.charAt(i++) != ':') throw error("expected ':'");
                ws();
                m.put(k, value());
                ws();
                if (i >= s.length()) throw error("unexpected end");
                char c = s.charAt(i++);
                if (c == '}') return m;
                if (c != ',') throw error("expected ',' or '}'");
            }
        }

        private List<Object> array() {
            List<Object> a = new ArrayList<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == ']') { i++; return a; }
            for (;;) {
                ws();
                a.add(value());
                ws();
                if (i >= s.length()) throw error("unexpected end");
                char c = s.charAt(i++);
                if (c == ']') return a;
                if (c != ',') throw error("expected ',' or ']'");
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++;
            for (;;) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c < 0x20) throw error("control character in string");
                if (c != '\\') { b.append(c); continue; }
                if (i >= s.length()) throw error("unterminated escape");
                char e = s.charAt(i++);
                switch (e) {
                    case '"': case '\\': case '/': b.append(e); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) throw error("short \\u escape");
                        try { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); }
                        catch (NumberFormatException x) { throw error("bad \\u escape"); }
                        i += 4;
                        break;
                    default: throw error("bad escape \\" + e);
                }
            }
        }

        private Object number() {
            int start = i;
            if (s.charAt(i) == '-') i++;
            boolean integral = true;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c >= '0' && c <= '9') i++;
                else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { integral = false; i++; }
                else break;
            }
            String t = s.substring(start, i);
            try {
                if (!integral) return new java.math.BigDecimal(t);
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException beyond64Bits) {
                    return new java.math.BigInteger(t);
                }
            } catch (NumberFormatException x) {
                throw error("bad number " + t);
            }
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(b, v);
            return b.toString();
        }

        private static void write(StringBuilder b, Object v) {
            if (v == null) b.append("null");
            else if (v instanceof String str) quote(b, str);
            else if (v instanceof Double d) b.append(d.isNaN() || d.isInfinite() ? "null" : d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : java.math.BigDecimal.valueOf(d).toPlainString());
            else if (v instanceof Number || v instanceof Boolean) b.append(v);
            else if (v instanceof Map<?, ?> m) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            } else if (v instanceof Iterable<?> it) {
                b.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) b.append(',');
                    first = false;
                    write(b, o);
                }
                b.append(']');
            } else quote(b, v.toString());
        }

        private static void quote(StringBuilder b, String str) {
            b.append('"');
            for (int k = 0; k < str.length(); k++) {
                char c = str.charAt(k);
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    case '\b': b.append("\\b"); break;
                    case '\f': b.append("\\f"); break;
                    default:
                        if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                }
            }
            b.append('"');
        }
    }
}
