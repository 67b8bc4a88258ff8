package io.palisade.tenant.sso;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonObject;

/**
 * A tenant's identity provider on loopback, speaking enough OIDC for the authorization code flow: discovery,
 * JWKS, authorize (approves at once, as the configured user), token (checks client, code, redirect URI and
 * PKCE). Each instance has its own issuer and RSA key.
 */
public final class FakeOidcProvider implements AutoCloseable {

    /**
     * The loopback ports providers may listen on, chosen once per JVM and kept in a system property: the service's
     * egress rules allow exactly these (TenantServiceStack), and test classes loaded apart share the same list.
     */
    private static final String PORTS_PROPERTY = "palisade.test.idp-ports";

    public static synchronized String ports() {
        if (System.getProperty(PORTS_PROPERTY) == null) {
            List<String> ports = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                try {
                    ports.add(String.valueOf(PalisadeTestStack.freePort()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            System.setProperty(PORTS_PROPERTY, String.join(",", ports));
        }
        return System.getProperty(PORTS_PROPERTY);
    }

    /** The first set-aside port no other provider of this JVM holds. */
    private static HttpServer bindToASetAsidePort() throws IOException {
        for (String port : ports().split(",")) {
            try {
                return HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 0);
            } catch (java.net.BindException inUse) {
                // held by another provider: the next one
            }
        }
        throw new IOException("every set-aside identity provider port is in use");
    }

    final KeyPair keys;
    final String kid = UUID.randomUUID().toString();
    private final String host;
    public final String clientId;
    public final String clientSecret;
    /** Fields of the discovery document answered instead of this provider's own (a test's misbehaving provider). */
    final Map<String, Object> discoveryOverrides = new ConcurrentHashMap<>();
    /** How often the discovery document was fetched. */
    final java.util.concurrent.atomic.AtomicInteger discoveryRequests = new java.util.concurrent.atomic.AtomicInteger();
    /** Who signs in next. */
    volatile String subject = "idp-user-1";
    volatile String email;
    volatile boolean emailVerified = true;
    /** When set, the token endpoint answers with this ID token (given the nonce) instead of its own. */
    volatile Function<String, String> idTokenOverride;
    private final HttpServer server;
    private final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();

    public FakeOidcProvider(String clientId, String clientSecret) {
        this(clientId, clientSecret, "127.0.0.1");
    }

    /** @param host how the issuer names this provider: its address, or {@code localhost} (looked up, as a name) */
    public FakeOidcProvider(String clientId, String clientSecret, String host) {
        this.host = host;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            server = bindToASetAsidePort();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/openid-configuration", ex -> {
            discoveryRequests.incrementAndGet();
            JsonObject document = new JsonObject("""
                    {"issuer":"%1$s","authorization_endpoint":"%1$s/authorize","token_endpoint":"%1$s/token",
                     "jwks_uri":"%1$s/jwks","response_types_supported":["code"],"subject_types_supported":["public"],
                     "id_token_signing_alg_values_supported":["RS256"],"code_challenge_methods_supported":["S256"]}"""
                    .formatted(issuer()));
            discoveryOverrides.forEach(document::put);
            json(ex, 200, document.encode());
        });
        server.createContext("/jwks", ex -> {
            RSAPublicKey key = (RSAPublicKey) keys.getPublic();
            json(ex, 200, """
                    {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"%s"}]}"""
                    .formatted(kid, unsigned(key.getModulus().toByteArray()), unsigned(key.getPublicExponent().toByteArray())));
        });
        server.createContext("/authorize", ex -> {
            Map<String, String> query = form(ex.getRequestURI().getRawQuery());
            if (!clientId.equals(query.get("client_id"))) {
                json(ex, 400, "{\"error\":\"unauthorized_client\"}");
                return;
            }
            String code = UUID.randomUUID().toString();
            codes.put(code, query);
            ex.getResponseHeaders().add("Location", query.get("redirect_uri") + "?code=" + code + "&state=" + query.get("state"));
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/token", ex -> {
            Map<String, String> body = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
            boolean client = basic.equals(ex.getRequestHeaders().getFirst("Authorization"))
                    || (clientId.equals(body.get("client_id")) && clientSecret.equals(body.get("client_secret")));
            Map<String, String> authorized = codes.remove(body.getOrDefault("code", ""));
            if (!client || authorized == null || !"authorization_code".equals(body.get("grant_type"))
                    || !authorized.get("redirect_uri").equals(body.get("redirect_uri")) || !pkce(authorized, body.get("code_verifier"))) {
                json(ex, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            String nonce = authorized.get("nonce");
            String idToken = idTokenOverride != null ? idTokenOverride.apply(nonce) : idToken(nonce);
            json(ex, 200, """
                    {"access_token":"opaque-%s","token_type":"Bearer","expires_in":300,"id_token":"%s"}"""
                    .formatted(UUID.randomUUID(), idToken));
        });
        server.start();
    }

    public String issuer() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** An ID token as this provider issues it, for the current user. */
    String idToken(String nonce) {
        var claims = Jwt.issuer(issuer()).audience(clientId).subject(subject).claim("email", email).claim("email_verified", emailVerified)
                .expiresIn(300);
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        return claims.jws().keyId(kid).sign(keys.getPrivate());
    }

    private static boolean pkce(Map<String, String> authorized, String verifier) {
        String challenge = authorized.get("code_challenge");
        if (challenge == null || verifier == null) {
            return false;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).equals(challenge);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String unsigned(byte[] bytes) {
        int from = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(bytes, from, bytes.length));
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
