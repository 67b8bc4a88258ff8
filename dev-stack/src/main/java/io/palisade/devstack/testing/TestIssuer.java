package io.palisade.devstack.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for tenant-service as token issuer in other services' tests: an RSA key published as a JWKS on
 * loopback, and access tokens with exactly the claims tenant-service issues (tid, sub, roles, perm, pty).
 * The service under test verifies them as it would verify tenant-service's.
 */
public final class TestIssuer {

    public static final String AUDIENCE = "palisade";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestIssuer INSTANCE = new TestIssuer();

    private final KeyPair keys;
    private final String kid = UUID.randomUUID().toString();
    private final HttpServer server;

    private TestIssuer() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        byte[] jwks = json(Map.of("keys", List.of(Map.of("kty", "RSA", "use", "sig", "alg", "RS256", "kid", kid,
                "n", unsigned(key.getModulus()), "e", unsigned(key.getPublicExponent()))))).getBytes(StandardCharsets.UTF_8);
        server.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-issuer");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static TestIssuer get() {
        return INSTANCE;
    }

    /** The issuer URL: the service under test reads {@code <issuer>/.well-known/jwks.json}. */
    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A staff member's token for one tenant (owners and admins hold every permission bit). */
    public String staff(UUID tenantId, UUID userId, String role, long permissions) {
        return sign(claims(userId, tenantId, List.of(role), permissions, "staff"));
    }

    /** A guest's token: one tenant, one guest, no permission. */
    public String guest(UUID tenantId, UUID guestId) {
        return sign(claims(guestId, tenantId, List.of("guest"), 0, "guest"));
    }

    /**
     * A platform admin's token: no tenant, the platform-admin role, signed in with both factors (the database still
     * checks the user is one).
     */
    public String platformAdmin(UUID userId) {
        Map<String, Object> claims = claims(userId, null, List.of("platform-admin"), 0, "staff");
        claims.remove("tid");
        claims.put("amr", List.of("pwd", "otp"));
        return sign(claims);
    }

    private Map<String, Object> claims(UUID subject, UUID tenantId, List<String> roles, long permissions, String principal) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer());
        claims.put("aud", AUDIENCE);
        claims.put("sub", subject.toString());
        claims.put("roles", roles);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", now);
        claims.put("exp", now + 600);
        claims.put("tid", tenantId == null ? null : tenantId.toString());
        claims.put("perm", permissions);
        claims.put("pty", principal);
        return claims;
    }

    private String sign(Map<String, Object> claims) {
        String header = b64(json(Map.of("alg", "RS256", "typ", "JWT", "kid", kid)).getBytes(StandardCharsets.UTF_8));
        String payload = b64(json(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int from = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return b64(Arrays.copyOfRange(bytes, from, bytes.length));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
