package io.palisade.tenant.passwords;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for Have I Been Pwned's range API, answering as the real one does: every suffix of the
 * requested prefix with a count, padded with zero-count decoys. It records each request it saw, so tests can
 * prove that only a 5-character prefix ever leaves the service.
 */
public final class PwnedPasswordsFake {

    /** Passwords only this fake knows as breached (they pass the policy and are not in the offline corpus). */
    public static final Set<String> PWNED = Set.of("Only-Pwned-Online-2026!", "Another Pwned Passphrase 7?");

    public record Seen(String method, String path, String query, String padding) {
    }

    private static final PwnedPasswordsFake INSTANCE = new PwnedPasswordsFake();

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private PwnedPasswordsFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/range/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            seen.add(new Seen(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Add-Padding")));
            String prefix = path.substring("/range/".length()).toUpperCase();
            StringBuilder body = new StringBuilder();
            for (String password : PWNED) {
                String sha1 = PwnedPasswords.sha1Hex(password);
                if (sha1.startsWith(prefix)) {
                    body.append(sha1.substring(5)).append(":").append(42).append("\r\n");
                }
            }
            body.append("0000000000000000000000000000000000A:0\r\n");
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pwned-passwords-fake");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static PwnedPasswordsFake get() {
        return INSTANCE;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }
}
