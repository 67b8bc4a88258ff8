package io.palisade.common.egress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends to exactly the address the guard checked: the socket connects to that IP, and TLS gets the original name
 * for SNI and for certificate verification (HTTPS endpoint identification), with the Host header set to it. There
 * is no second lookup, redirects are never followed (a 3xx is an answer like any other), at most the rules'
 * max-response-bytes of the answer are read (reading stops where the answer's framing ends it, at the cap, or at the
 * close), interim 1xx answers are passed over, and the connect and total timeouts hold however slowly the other side
 * answers.
 * <p>
 * HTTP/1.1 with keep-alive: a connection whose answer ended cleanly is kept for the next request to the same name at
 * the same address, and taken again only for an address in that request's own checked list, so a kept connection
 * never reaches an address the guard did not pass this time. A new connection per request cost a connect and a close
 * on both sides (a fifth of webhook-service's CPU on loopback, and a TLS handshake each over HTTPS).
 */
public class PinnedHttpClient {

    /**
     * How long a connection is kept unused: below the keep-alive time of common servers (Node.js: 5 s), so that a
     * receiver seldom closes one just as a request is sent on it.
     */
    private static final Duration KEPT_FOR = Duration.ofSeconds(4);
    /** At most this many unused connections are kept, over all places (each an open file). */
    private static final int MAX_KEPT = 256;

    /** What came back: status, headers (lower-case names), the body read so far (capped), and the time taken. */
    public record Answer(int status, Map<String, String> headers, byte[] body, Duration latency) {
    }

    /** Where a connection leads: one name (which TLS verified and Host names) at one address. */
    private record Place(boolean https, String host, int port, InetAddress address) {
    }

    private record Kept(Socket socket, long since) {
    }

    private record Connection(Place place, Socket socket) {
    }

    /** The receiver closed the connection before any of the answer came (a kept one it had closed meanwhile). */
    private static final class ClosedBeforeAnswer extends IOException {
        ClosedBeforeAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final EgressRules rules;
    private final SSLContext tls;
    private final long keptForNanos;
    /** Unused connections by place, the most recently used first; each deque only changed inside the map's compute. */
    private final ConcurrentHashMap<Place, ArrayDeque<Kept>> kept = new ConcurrentHashMap<>();
    private final AtomicInteger keptCount = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    public PinnedHttpClient(EgressRules rules) {
        this(rules, KEPT_FOR);
    }

    /** With its own time to keep unused connections (tests). */
    PinnedHttpClient(EgressRules rules, Duration keptFor) {
        this.rules = rules;
        this.tls = tlsContext(rules);
        this.keptForNanos = keptFor.toNanos();
    }

    /** POSTs to the first of the checked addresses that accepts a connection. */
    public Answer post(CheckedUrl url, List<InetAddress> addresses, Map<String, String> headers, byte[] body) throws IOException {
        return send("POST", url, addresses, headers, body);
    }

    /** GETs from the first of the checked addresses that accepts a connection. */
    public Answer get(CheckedUrl url, List<InetAddress> addresses, Map<String, String> headers) throws IOException {
        return send("GET", url, addresses, headers, null);
    }

    private Answer send(String method, CheckedUrl url, List<InetAddress> addresses, Map<String, String> headers, byte[] body)
            throws IOException {
        long started = System.nanoTime();
        long deadline = started + rules.totalTimeout().toNanos();
        byte[] request = request(method, url, headers, body);
        Connection reused = reuse(url, addresses);
        if (reused != null) {
            try {
                return exchange(reused, request, deadline, started);
            } catch (ClosedBeforeAnswer closedMeanwhile) {
                // The receiver closed the kept connection before it read this request: sent once more on a new one.
                // A POST too, as Go's client does for a request with an idempotency key: a webhook's is its webhook-id.
            }
        }
        return exchange(connect(url, addresses, deadline), request, deadline, started);
    }

    /** Head and body in one write: two small writes would meet Nagle's algorithm and the receiver's delayed ACK. */
    private static byte[] request(String method, CheckedUrl url, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(url.target()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.hostHeader()).append("\r\n")
                .append(body == null ? "" : "Content-Length: " + body.length + "\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null) {
            return headBytes;
        }
        byte[] request = java.util.Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private Answer exchange(Connection connection, byte[] request, long deadline, long started) throws IOException {
        Socket socket = connection.socket();
        boolean keep = false;
        try {
            try {
                socket.setSoTimeout(remainingMillis(deadline));
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new ClosedBeforeAnswer("the connection closed before the request was sent (" + e.getMessage() + ")", e);
            }
            Received received = read(socket, deadline);
            keep = received.reusable();
            return new Answer(received.head().status(), received.head().headers(), received.body(), Duration.ofNanos(System.nanoTime() - started));
        } finally {
            if (keep) {
                keep(connection);
            } else {
                closeQuietly(socket);
            }
        }
    }

    private Connection connect(CheckedUrl url, List<InetAddress> addresses, long deadline) throws IOException {
        IOException last = new IOException("no address to connect to");
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(address, url.port()), (int) rules.connectTimeout().toMillis());
            } catch (IOException e) {
                socket.close();
                last = e;
                continue;
            }
            try {
                return new Connection(new Place(url.https(), url.host(), url.port(), address), url.https() ? handshake(socket, url, deadline) : socket);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        throw last;
    }

    private Socket handshake(Socket raw, CheckedUrl url, long deadline) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, url.host(), url.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (url.literal().isEmpty()) {
            parameters.setServerNames(List.of(new SNIHostName(url.host())));
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(remainingMillis(deadline));
        socket.startHandshake();
        return socket;
    }

    /** A kept connection to the first of the checked addresses that has one, if any. */
    private Connection reuse(CheckedUrl url, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            Place place = new Place(url.https(), url.host(), url.port(), address);
            Socket socket;
            while ((socket = take(place)) != null) {
                if (usable(socket)) {
                    return new Connection(place, socket);
                }
                closeQuietly(socket);
            }
        }
        return null;
    }

    /** An unused connection still open, with nothing sent on it since its last answer (that would be out of turn). */
    private static boolean usable(Socket socket) {
        try {
            return !socket.isClosed() && socket.getInputStream().available() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private Socket take(Place place) {
        Socket[] taken = new Socket[1];
        long now = System.nanoTime();
        kept.computeIfPresent(place, (p, connections) -> {
            Kept k;
            while ((k = connections.pollFirst()) != null) {
                keptCount.decrementAndGet();
                if (now - k.since() < keptForNanos) {
                    taken[0] = k.socket();
                    break;
                }
                closeQuietly(k.socket());
            }
            return connections.isEmpty() ? null : connections;
        });
        return taken[0];
    }

    private void keep(Connection connection) {
        if (keptCount.incrementAndGet() > MAX_KEPT) {
            keptCount.decrementAndGet();
            closeQuietly(connection.socket());
            return;
        }
        kept.compute(connection.place(), (p, connections) -> {
            ArrayDeque<Kept> into = connections == null ? new ArrayDeque<>() : connections;
            into.addFirst(new Kept(connection.socket(), System.nanoTime()));
            return into;
        });
        if (sweeping.compareAndSet(false, true)) {
            Thread.ofVirtual().name("egress-kept-connections").start(this::sweep);
        }
    }

    /** Closes connections unused for longer than they are kept; runs while any are kept, so none stays open long past its time. */
    private void sweep() {
        while (true) {
            try {
                Thread.sleep(Math.max(1, keptForNanos / 2_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sweeping.set(false);
                return;
            }
            long now = System.nanoTime();
            for (Place place : kept.keySet()) {
                kept.computeIfPresent(place, (p, connections) -> {
                    while (!connections.isEmpty() && now - connections.peekLast().since() >= keptForNanos) {
                        // Counted out before it closes: whoever sees it closed sees it no longer kept.
                        keptCount.decrementAndGet();
                        closeQuietly(connections.pollLast().socket());
                    }
                    return connections.isEmpty() ? null : connections;
                });
            }
            // Stops when nothing is kept, unless a connection was kept again meanwhile and its keeper found this still running.
            if (keptCount.get() == 0) {
                sweeping.set(false);
                if (keptCount.get() == 0 || !sweeping.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }

    /** How many unused connections are kept (tests). */
    int keptConnections() {
        return keptCount.get();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    /** The answer's head and the body as read, and whether the connection may carry another request. */
    private record Received(Head head, byte[] body, boolean reusable) {
    }

    private Received read(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream beforeBody = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        Head head = null;
        Body body = null;
        boolean anything = false;
        while (body == null || !body.complete()) {
            if (head == null) {
                byte[] seen = beforeBody.toByteArray();
                head = head(seen);
                if (head != null && head.status() >= 100 && head.status() < 200) {
                    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
                    beforeBody.reset();
                    beforeBody.write(seen, head.bodyStart(), seen.length - head.bodyStart());
                    head = null;
                    continue;
                }
                if (head != null) {
                    body = new Body(head, rules.maxResponseBytes());
                    body.feed(seen, head.bodyStart(), seen.length - head.bodyStart());
                    continue;
                }
                if (seen.length > 32_768) {
                    throw new IOException("the answer's headers are longer than 32 KiB");
                }
            }
            socket.setSoTimeout(remainingMillis(deadline));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (!anything) {
                    throw new ClosedBeforeAnswer("the connection closed before an answer (" + e.getMessage() + ")", e);
                }
                throw e;
            }
            if (n < 0) {
                if (!anything) {
                    throw new ClosedBeforeAnswer("the connection closed before an answer", null);
                }
                break;
            }
            anything = true;
            if (body == null) {
                beforeBody.write(buffer, 0, n);
            } else {
                body.feed(buffer, 0, n);
            }
        }
        if (head == null) {
            throw new IOException("the connection closed before a complete answer");
        }
        return new Received(head, body.bytes(), head.keepAlive() && body.whole());
    }

    /**
     * A parsed status line and headers, where the body starts, and whether the other side keeps the connection
     * (HTTP/1.1 without Connection: close).
     */
    private record Head(int status, Map<String, String> headers, int bodyStart, boolean keepAlive) {
    }

    /** The answer's head once it is complete in {@code data}, else null. */
    private static Head head(byte[] data) throws IOException {
        int end = indexOf(data, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (end < 0) {
            return null;
        }
        String[] lines = new String(data, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer");
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + statusLine[1]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        boolean close = java.util.Arrays.stream(headers.getOrDefault("connection", "").split(","))
                .anyMatch(token -> token.trim().equalsIgnoreCase("close"));
        return new Head(status, headers, end + 4, statusLine[0].equals("HTTP/1.1") && !close);
    }

    /**
     * An answer's body as its framing delimits it (RFC 9112, section 6.3): none (1xx, 204, 304), Content-Length,
     * chunked, or until the close. At most {@code cap} bytes are kept, and reading stops there.
     */
    private static final class Body {

        private enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

        private enum Chunk { SIZE, DATA, DATA_END, TRAILER }

        private static final int MAX_LINE = 4096;

        private final Framing framing;
        private final long length;
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private long lengthRead;
        /** Where the framing says the body ends was reached. */
        private boolean ended;
        /** Bytes beyond the framing's end (the other side out of step) or past the cap: the connection is not reused. */
        private boolean spoilt;
        private Chunk chunk = Chunk.SIZE;
        private long chunkLeft;
        private final StringBuilder line = new StringBuilder();

        Body(Head head, int cap) throws IOException {
            this.cap = cap;
            String transferEncoding = head.headers().get("transfer-encoding");
            String contentLength = head.headers().get("content-length");
            if (head.status() == 204 || head.status() == 304) {
                framing = Framing.NONE;
                length = 0;
                ended = true;
            } else if (transferEncoding != null) {
                // Chunked only as the last coding; any other coding runs until the close, whatever Content-Length says.
                framing = transferEncoding.toLowerCase(Locale.ROOT).trim().endsWith("chunked") ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
                length = -1;
            } else if (contentLength != null) {
                framing = Framing.LENGTH;
                try {
                    length = Long.parseLong(contentLength);
                } catch (NumberFormatException e) {
                    throw new IOException("not a Content-Length: " + contentLength);
                }
                if (length < 0) {
                    throw new IOException("not a Content-Length: " + contentLength);
                }
                ended = length == 0;
            } else {
                framing = Framing.UNTIL_CLOSE;
                length = -1;
            }
        }

        /** Nothing more is read: ended, or cut at the cap. */
        boolean complete() {
            return ended || bytes.size() >= cap;
        }

        /** Whether the body ended where its framing says, with nothing cut and nothing after it. */
        boolean whole() {
            return ended && !spoilt;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        void feed(byte[] data, int offset, int count) throws IOException {
            int end = offset + count;
            switch (framing) {
                case NONE -> spoilt |= count > 0;
                case LENGTH -> {
                    int n = (int) Math.min(count, length - lengthRead);
                    keep(data, offset, n);
                    lengthRead += n;
                    spoilt |= count > n;
                    ended = lengthRead == length;
                }
                case UNTIL_CLOSE -> keep(data, offset, count);
                case CHUNKED -> {
                    int at = offset;
                    while (at < end && !complete()) {
                        at = chunked(data, at, end);
                    }
                    spoilt |= at < end;
                }
            }
        }

        /** Takes what it can of one chunked-coding element from {@code data[at..end)}; returns where it stopped. */
        private int chunked(byte[] data, int at, int end) throws IOException {
            if (chunk == Chunk.DATA) {
                int n = (int) Math.min(chunkLeft, end - at);
                keep(data, at, n);
                chunkLeft -= n;
                if (chunkLeft == 0) {
                    chunk = Chunk.DATA_END;
                }
                return at + n;
            }
            while (at < end) {
                byte b = data[at++];
                if (b != '\n') {
                    if (line.length() >= MAX_LINE) {
                        throw new IOException("a chunked answer's line is longer than " + MAX_LINE + " bytes");
                    }
                    line.append((char) (b & 0xff));
                    continue;
                }
                String text = line.toString().strip();
                line.setLength(0);
                switch (chunk) {
                    case SIZE -> {
                        chunkLeft = chunkSize(text);
                        chunk = chunkLeft == 0 ? Chunk.TRAILER : Chunk.DATA;
                    }
                    case DATA_END -> {
                        if (!text.isEmpty()) {
                            throw new IOException("a chunk longer than its size");
                        }
                        chunk = Chunk.SIZE;
                    }
                    case TRAILER -> ended = text.isEmpty();
                    case DATA -> throw new IllegalStateException("data is taken above");
                }
                return at;
            }
            return at;
        }

        private static long chunkSize(String line) throws IOException {
            int extension = line.indexOf(';');
            String size = (extension < 0 ? line : line.substring(0, extension)).strip();
            if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IOException("not a chunk size: " + (size.length() > 20 ? size.substring(0, 20) + "..." : size));
            }
            return Long.parseLong(size, 16);
        }

        private void keep(byte[] data, int offset, int count) {
            int room = cap - bytes.size();
            bytes.write(data, offset, Math.min(count, Math.max(room, 0)));
            spoilt |= count > room;
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("no complete answer within the total timeout");
        }
        return (int) Math.max(1, remaining);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static SSLContext tlsContext(EgressRules rules) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (rules.trustStore().isEmpty()) {
                context.init(null, null, null);
                return context;
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            char[] password = rules.trustStorePassword().orElse("").toCharArray();
            try (InputStream in = Files.newInputStream(Path.of(rules.trustStore().get()))) {
                store.load(in, password);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS for outgoing connections could not be set up", e);
        }
    }
}
