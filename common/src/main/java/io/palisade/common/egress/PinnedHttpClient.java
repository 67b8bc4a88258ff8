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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends to exactly the address the guard checked: the socket connects to that IP, and TLS gets the original name
 * for SNI and for certificate verification (HTTPS endpoint identification), with the Host header set to it. There
 * is no second lookup, redirects are never followed (a 3xx is an answer like any other), at most the rules'
 * max-response-bytes of the answer are read (reading stops at its Content-Length, or at the
 * close), interim 1xx answers are passed over, and the connect and total timeouts hold however slowly the other side
 * answers. HTTP/1.1, one request per connection.
 */
public class PinnedHttpClient {

    /** What came back: status, headers (lower-case names), the body read so far (capped), and the time taken. */
    public record Answer(int status, Map<String, String> headers, byte[] body, Duration latency) {
    }

    private final EgressRules rules;
    private final SSLContext tls;

    public PinnedHttpClient(EgressRules rules) {
        this.rules = rules;
        this.tls = tlsContext(rules);
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
        try (Socket raw = connect(url, addresses)) {
            Socket socket = url.https() ? handshake(raw, url, deadline) : raw;
            StringBuilder request = new StringBuilder(method).append(' ').append(url.target()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(url.hostHeader()).append("\r\n")
                    .append(body == null ? "" : "Content-Length: " + body.length + "\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket, deadline, started);
        }
    }

    private Socket connect(CheckedUrl url, List<InetAddress> addresses) throws IOException {
        IOException last = new IOException("no address to connect to");
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, url.port()), (int) rules.connectTimeout().toMillis());
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
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

    private Answer read(Socket socket, long deadline, long started) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int limit = rules.maxResponseBytes();
        Head head = null;
        while (true) {
            if (head == null) {
                head = head(received.toByteArray());
                if (head != null && head.status() >= 100 && head.status() < 200) {
                    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
                    byte[] rest = java.util.Arrays.copyOfRange(received.toByteArray(), head.bodyStart(), received.size());
                    received.reset();
                    received.write(rest);
                    head = null;
                    continue;
                }
            }
            if (head != null) {
                int bodyBytes = received.size() - head.bodyStart();
                long wanted = Math.min(limit, head.contentLength() < 0 ? Long.MAX_VALUE : head.contentLength());
                if (bodyBytes >= wanted) {
                    break;
                }
            } else if (received.size() > 32_768) {
                throw new IOException("the answer's headers are longer than 32 KiB");
            }
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            received.write(buffer, 0, n);
        }
        if (head == null) {
            throw new IOException("the connection closed before a complete answer");
        }
        byte[] all = received.toByteArray();
        int bodyLength = Math.min(all.length - head.bodyStart(), limit);
        byte[] body = java.util.Arrays.copyOfRange(all, head.bodyStart(), head.bodyStart() + bodyLength);
        return new Answer(head.status(), head.headers(), body, Duration.ofNanos(System.nanoTime() - started));
    }

    /** A parsed status line and headers, and where the body starts; -1 for an unknown length. */
    private record Head(int status, Map<String, String> headers, int bodyStart, long contentLength) {
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
        long contentLength = -1;
        if (headers.containsKey("content-length") && !headers.containsKey("transfer-encoding")) {
            try {
                contentLength = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("not a Content-Length: " + headers.get("content-length"));
            }
        }
        return new Head(status, headers, end + 4, contentLength);
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
