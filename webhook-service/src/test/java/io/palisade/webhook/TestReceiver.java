package io.palisade.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A webhook receiver on loopback for tests: records every request and answers what a test scripted per path (in
 * turn; the last answer repeats; 200 when nothing was scripted), optionally after a delay.
 */
public final class TestReceiver {

    public record Request(String path, Map<String, List<String>> headers, String body, Instant receivedAt) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    /** An answer; {@code body} null means a small JSON body naming the status. */
    public record Answer(int status, Map<String, String> headers, long delayMillis, String body) {
        public Answer(int status, Map<String, String> headers, long delayMillis) {
            this(status, headers, delayMillis, null);
        }

        public static Answer status(int status) {
            return new Answer(status, Map.of(), 0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> script = new ConcurrentHashMap<>();

    private TestReceiver(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public static TestReceiver http(int port) throws IOException {
        return new TestReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 100));
    }

    /** An https receiver presenting the key and certificate of a PKCS#12 key store. */
    public static TestReceiver https(int port, Path keyStore, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 100);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TestReceiver(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The answers {@code path} gives, one per request. */
    public void script(String path, Answer... answers) {
        script.put(path, new ArrayDeque<>(List.of(answers)));
    }

    public List<Request> requests(String path) {
        List<Request> found = new ArrayList<>();
        for (Request r : requests) {
            if (r.path().equals(path)) {
                found.add(r);
            }
        }
        return found;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(path, Map.copyOf(exchange.getRequestHeaders()), body, Instant.now()));
        Deque<Answer> answers = script.get(path);
        Answer answer;
        if (answers == null) {
            answer = Answer.status(200);
        } else {
            synchronized (answers) {
                answer = answers.size() > 1 ? answers.poll() : answers.peek();
            }
        }
        try {
            Thread.sleep(answer.delayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] response = (answer.body() != null ? answer.body() : "{\"received\":true,\"status\":" + answer.status() + "}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), response.length);
        exchange.getResponseBody().write(response);
        exchange.close();
    }
}
