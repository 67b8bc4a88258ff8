package io.palisade.devstack.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * An HTTP load generator: {@code clients} connections for a fixed time. Closed loop (as wrk: each connection sends its
 * next request as soon as the answer arrived), or at a fixed total rate, where each latency counts from the time the
 * request was due, not sent, so that a stalled server is not hidden by requests never sent (as wrk2 does).
 * Counts answers by status and keeps every latency. The benchmarks' load generator (the benchmarks module, and the
 * services' own benchmarks under -Pbenchmark).
 *
 * <p>Each connection is a plain socket speaking HTTP/1.1 with keep-alive: the request's bytes written once, the
 * answer's status, length and body read and dropped. The JDK's HttpClient cost about as much CPU per request as the
 * service it measured, on the same two cores, so a paced run at half the maximum left the machine full and measured
 * the queue for its CPUs.
 */
public final class HttpLoad {

    public record Result(double perSecond, Map<Integer, Long> statuses, double p50Millis, double p99Millis) {
        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    /** One request: its method, where it goes, its headers ("Name: value") and body (none when null). */
    public record Request(String method, URI uri, List<String> headers, String body) {
        public static Request get(URI uri, List<String> headers) {
            return new Request("GET", uri, headers, null);
        }

        byte[] bytes() {
            StringBuilder text = new StringBuilder(256).append(method).append(' ').append(uri.getRawPath());
            if (uri.getRawQuery() != null) {
                text.append('?').append(uri.getRawQuery());
            }
            text.append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
            headers.forEach(header -> text.append(header).append("\r\n"));
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                text.append("Content-Length: ").append(content.length).append("\r\n");
            }
            byte[] head = text.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
            byte[] all = Arrays.copyOf(head, head.length + content.length);
            System.arraycopy(content, 0, all, head.length, content.length);
            return all;
        }
    }

    private HttpLoad() {
    }

    /** Closed loop; {@code request} makes the n-th request of the run (n counts over every client). */
    public static Result run(int clients, Duration length, LongFunction<Request> request) throws InterruptedException {
        return run(clients, length, 0, request);
    }

    /** At {@code perSecond} requests per second over all clients (0: as fast as answers come). */
    public static Result run(int clients, Duration length, double perSecond, LongFunction<Request> request) throws InterruptedException {
        AtomicLong sequence = new AtomicLong();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        for (int i = 0; i < clients; i++) {
            long[] mine = new long[1 << 16];
            latencies.add(mine);
            long interval = perSecond <= 0 ? 0 : (long) (1e9 * clients / perSecond);
            long offset = interval * i / clients;
            threads.add(Thread.ofVirtual().start(() -> {
                Connection connection = new Connection();
                int n = 0;
                long due = start + offset;
                while (System.nanoTime() < end) {
                    if (interval > 0) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    long sent = interval > 0 ? due : System.nanoTime();
                    due += interval;
                    int status = connection.exchange(request.apply(sequence.getAndIncrement()));
                    if (n < mine.length - 1) {
                        mine[++n] = System.nanoTime() - sent;
                        mine[0] = n;
                    }
                    statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                }
                connection.close();
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 1, (int) l[0] + 1)).sorted().toArray();
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.sum()));
        return new Result(all.length / seconds, counts, percentile(all, 0.50), percentile(all, 0.99));
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** One client's keep-alive connection, opened again after the server closed it or an exchange failed. */
    private static final class Connection {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        /** The answer's status, or -1 when the exchange failed. */
        int exchange(Request request) {
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(request.uri().getHost(), request.uri().getPort()), 5000);
                    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    out = socket.getOutputStream();
                }
                out.write(request.bytes());
                out.flush();
                return readAnswer();
            } catch (IOException e) {
                close();
                return -1;
            }
        }

        private int readAnswer() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long contentLength = -1;
            boolean chunked = false;
            boolean closes = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.equalsIgnoreCase("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    closes = value.equalsIgnoreCase("close");
                }
            }
            if (chunked) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    in.skipNBytes(size);
                    line();
                }
                line();
            } else if (contentLength > 0) {
                in.skipNBytes(contentLength);
            }
            boolean bodiless = status == 204 || status == 304;
            if (closes || (!chunked && contentLength < 0 && !bodiless)) {
                close();
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-answer");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        private long chunkSize() throws IOException {
            String line = line();
            int extension = line.indexOf(';');
            return Long.parseLong((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a connection that failed: nothing left to do with it.
                }
                socket = null;
            }
        }
    }
}
