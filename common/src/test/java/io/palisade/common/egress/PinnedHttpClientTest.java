package io.palisade.common.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pinned client against a raw socket server: it connects to the address it is given and never looks the name
 * up, sends that name as Host, stops reading at the cap, and gives up at the total timeout however slowly the other
 * side drips bytes; it keeps a connection only for the same name at an address the next request's checked list
 * holds, and only when the answer ended where its framing said.
 */
class PinnedHttpClientTest {

    /** Rules with a 1 s total timeout and a 1 KiB answer cap. */
    private static final TestRules TIGHT = TestRules.defaults().withLoopback().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
            .withMaxResponseBytes(1024);

    /** Serves one connection: hands the request head it read to {@code answer}, which writes to the socket. */
    private static int serveOnce(ServerSocket server, CompletableFuture<String> requestHead, BiConsumer<String, OutputStream> answer) {
        Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    head.write(in.read());
                }
                requestHead.complete(head.toString(StandardCharsets.ISO_8859_1));
                answer.accept(head.toString(StandardCharsets.ISO_8859_1), socket.getOutputStream());
            } catch (Exception e) {
                requestHead.completeExceptionally(e);
            }
        });
        return server.getLocalPort();
    }

    private static CheckedUrl url(String host, int port) {
        return new CheckedUrl("http://" + host + ":" + port + "/in?x=1", false, host, port, "/in?x=1", Optional.empty());
    }

    @Test
    void connectsToTheGivenAddressWithTheNameAsHostAndNoLookup() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> head = new CompletableFuture<>();
            int port = serveOnce(server, head, (request, out) -> write(out, "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nX-Seen: yes\r\n\r\nok"));
            // No resolver knows this name: had the client looked it up, there would be no connection.
            PinnedHttpClient.Answer answer = new PinnedHttpClient(TIGHT).post(url("hooks.unresolvable.invalid", port),
                    List.of(InetAddress.getLoopbackAddress()), Map.of("webhook-id", "msg_1"), "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, answer.status());
            assertEquals("yes", answer.headers().get("x-seen"));
            assertEquals("ok", new String(answer.body(), StandardCharsets.UTF_8));
            assertTrue(head.get().startsWith("POST /in?x=1 HTTP/1.1\r\n"), head.get());
            assertTrue(head.get().contains("Host: hooks.unresolvable.invalid:" + port + "\r\n"), head.get());
            assertTrue(head.get().contains("webhook-id: msg_1\r\n"), head.get());
        }
    }

    @Test
    void passesOverInterimAnswersAndStopsAtTheContentLength() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = serveOnce(server, new CompletableFuture<>(), (request, out) -> {
                write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
                try {
                    Thread.sleep(3000); // keeps the connection open, as a kept-alive one is
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long started = System.nanoTime();
            PinnedHttpClient.Answer answer = new PinnedHttpClient(TIGHT).post(url("hooks.example.test", port),
                    List.of(InetAddress.getLoopbackAddress()), Map.of(), new byte[0]);
            assertEquals(200, answer.status());
            assertEquals("done", new String(answer.body(), StandardCharsets.UTF_8));
            assertTrue((System.nanoTime() - started) / 1_000_000 < 900, "the answer is complete at its Content-Length");
        }
    }

    @Test
    void triesTheNextCheckedAddressWhenOneRefusesTheConnection() throws Exception {
        int closed;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = gone.getLocalPort();
        }
        try (ServerSocket server = new ServerSocket(closed, 1, InetAddress.getByName("127.0.0.2"))) {
            serveOnce(server, new CompletableFuture<>(), (request, out) -> write(out, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"));
            PinnedHttpClient.Answer answer = new PinnedHttpClient(TIGHT).post(url("hooks.example.test", closed),
                    List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")), Map.of(), new byte[0]);
            assertEquals(204, answer.status());
        }
    }

    @Test
    void readsNoMoreThanTheCap() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = serveOnce(server, new CompletableFuture<>(), (request, out) -> {
                write(out, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1048576\r\n\r\n");
                write(out, "x".repeat(1_048_576));
            });
            PinnedHttpClient.Answer answer = new PinnedHttpClient(TIGHT).post(url("hooks.example.test", port), List.of(InetAddress.getLoopbackAddress()),
                    Map.of(), new byte[0]);
            assertEquals(500, answer.status());
            assertEquals(1024, answer.body().length, "the answer is cut at the cap");
        }
    }

    @Test
    void aDrippingAnswerEndsAtTheTotalTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = serveOnce(server, new CompletableFuture<>(), (request, out) -> {
                try {
                    for (char c : "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".toCharArray()) {
                        out.write(c);
                        out.flush();
                        Thread.sleep(300);
                    }
                } catch (Exception closed) {
                    // the client gave up
                }
            });
            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> new PinnedHttpClient(TIGHT).post(url("hooks.example.test", port),
                    List.of(InetAddress.getLoopbackAddress()), Map.of(), new byte[0]));
            long took = (System.nanoTime() - started) / 1_000_000;
            assertTrue(took < 2000, "gave up after " + took + " ms, total timeout 1 s, though every byte came within 300 ms");
        }
    }

    @Test
    void keepsAConnectionForTheNextRequestToTheSameNameAndAddress() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(), n -> "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nok-" + n)) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            for (int i = 1; i <= 3; i++) {
                PinnedHttpClient.Answer answer = client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()),
                        Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
                assertEquals("ok-" + i, new String(answer.body(), StandardCharsets.UTF_8));
            }
            assertEquals(3, server.requests().size());
            assertEquals(1, server.connections(), "three requests on one connection");
            assertEquals(1, client.keptConnections());
        }
    }

    @Test
    void aKeptConnectionServesOnlyItsNameAtAnAddressTheRequestWasCheckedFor() throws Exception {
        InetAddress first = InetAddress.getByName("127.0.0.1");
        InetAddress second = InetAddress.getByName("127.0.0.2");
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getByName("0.0.0.0"), n -> "HTTP/1.1 204 No Content\r\n\r\n")) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            client.post(url("a.example.test", server.port()), List.of(first), Map.of(), new byte[0]);
            client.post(url("b.example.test", server.port()), List.of(first), Map.of(), new byte[0]);
            // The name now resolves elsewhere: the connection kept for the address checked before is not taken.
            client.post(url("a.example.test", server.port()), List.of(second), Map.of(), new byte[0]);
            client.post(url("a.example.test", server.port()), List.of(second), Map.of(), new byte[0]);
            assertEquals(List.of("a.example.test@127.0.0.1#1", "b.example.test@127.0.0.1#2", "a.example.test@127.0.0.2#3", "a.example.test@127.0.0.2#3"),
                    server.requests().stream().map(r -> r.host().replaceFirst(":\\d+$", "") + "@" + r.reachedAt() + "#" + r.connection()).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA" })
    void anAnswerThatEndsItsConnectionOrOverrunsItIsTheLastOnIt(String answer) throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(), n -> answer, true)) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            for (int i = 0; i < 2; i++) {
                assertEquals("ok", new String(client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()), Map.of(),
                        new byte[0]).body(), StandardCharsets.UTF_8));
            }
            assertEquals(2, server.connections());
            assertEquals(0, client.keptConnections());
        }
    }

    @Test
    void aBodyCutAtTheCapIsTheLastOnItsConnection() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(),
                n -> "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096))) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            for (int i = 0; i < 2; i++) {
                assertEquals(1024, client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()), Map.of(),
                        new byte[0]).body().length);
            }
            assertEquals(2, server.connections(), "the rest of a cut body would be read as the next answer");
        }
    }

    @Test
    void readsAChunkedAnswerToItsLastChunkAndKeepsTheConnection() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(),
                n -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;name=value\r\npedia\r\n0\r\nExpires: never\r\n\r\n")) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            for (int i = 0; i < 2; i++) {
                // The server keeps the connection open: read to the close, this would end at the 1 s total timeout.
                assertEquals("Wikipedia", new String(client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()),
                        Map.of(), new byte[0]).body(), StandardCharsets.UTF_8));
            }
            assertEquals(1, server.connections());
        }
    }

    @Test
    void aKeptConnectionTheReceiverClosedIsReplacedAndTheRequestSentOnce() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(), n -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT);
            client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()), Map.of(), new byte[0]);
            server.closeConnections();
            PinnedHttpClient.Answer answer = client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()), Map.of(),
                    new byte[0]);
            assertEquals(200, answer.status());
            assertEquals(2, server.connections());
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void aNewConnectionClosedWithoutAnAnswerIsNotSentAgain() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(), n -> null)) {
            assertThrows(java.io.IOException.class, () -> new PinnedHttpClient(TIGHT).post(url("hooks.example.test", server.port()),
                    List.of(InetAddress.getLoopbackAddress()), Map.of(), new byte[0]));
            assertEquals(1, server.requests().size(), "the receiver may have acted on it: a retry is the delivery schedule's");
        }
    }

    @Test
    void anUnusedConnectionIsClosedAfterItsTime() throws Exception {
        try (KeepAliveServer server = new KeepAliveServer(InetAddress.getLoopbackAddress(), n -> "HTTP/1.1 204 No Content\r\n\r\n")) {
            PinnedHttpClient client = new PinnedHttpClient(TIGHT, Duration.ofMillis(200));
            client.post(url("hooks.example.test", server.port()), List.of(InetAddress.getLoopbackAddress()), Map.of(), new byte[0]);
            assertEquals(1, client.keptConnections());
            assertTrue(server.awaitClosedByClient(Duration.ofSeconds(5)), "the kept connection is closed by the client once unused for its time");
            assertEquals(0, client.keptConnections());
        }
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
    /**
     * Serves requests (Content-Length bodies) on kept connections, each answered with {@code answer(n)} for the n-th
     * request (null: the connection is closed unanswered); with {@code closeAfterAnswer} each connection ends after its
     * first answer.
     */
    private static final class KeepAliveServer implements AutoCloseable {

        record Request(int connection, String reachedAt, String host) {
        }

        private final ServerSocket server;
        private final java.util.function.IntFunction<String> answer;
        private final boolean closeAfterAnswer;
        private final List<Request> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.CountDownLatch closedByClient = new java.util.concurrent.CountDownLatch(1);

        KeepAliveServer(InetAddress bind, java.util.function.IntFunction<String> answer) throws java.io.IOException {
            this(bind, answer, false);
        }

        KeepAliveServer(InetAddress bind, java.util.function.IntFunction<String> answer, boolean closeAfterAnswer) throws java.io.IOException {
            this.server = new ServerSocket(0, 50, bind);
            this.answer = answer;
            this.closeAfterAnswer = closeAfterAnswer;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        List<Request> requests() {
            return requests;
        }

        int connections() {
            return connections.get();
        }

        /** Closes every open connection from this side, as a receiver's keep-alive timeout does. */
        void closeConnections() throws java.io.IOException {
            for (Socket socket : open) {
                socket.close();
            }
        }

        boolean awaitClosedByClient(Duration within) throws InterruptedException {
            return closedByClient.await(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    int connection = connections.incrementAndGet();
                    open.add(socket);
                    Thread.ofVirtual().start(() -> serve(socket, connection));
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket, int connection) {
            try (socket) {
                InputStream in = socket.getInputStream();
                while (true) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            if (head.size() == 0) {
                                closedByClient.countDown();
                            }
                            return;
                        }
                        head.write(b);
                    }
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^Content-Length: (\\d+)").matcher(text);
                    in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
                    java.util.regex.Matcher host = java.util.regex.Pattern.compile("(?im)^Host: (\\S+)").matcher(text);
                    requests.add(new Request(connection, socket.getLocalAddress().getHostAddress(), host.find() ? host.group(1) : null));
                    String reply = answer.apply(requests.size());
                    if (reply == null) {
                        return;
                    }
                    write(socket.getOutputStream(), reply);
                    if (closeAfterAnswer) {
                        return;
                    }
                }
            } catch (Exception e) {
                // the connection ended
            }
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            closeConnections();
        }
    }
}
