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

/**
 * The pinned client against a raw socket server: it connects to the address it is given and never looks the name
 * up, sends that name as Host, stops reading at the cap, and gives up at the total timeout however slowly the other
 * side drips bytes.
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
                    Thread.sleep(3000); // keeps the connection open, as if Connection: close were ignored
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

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
