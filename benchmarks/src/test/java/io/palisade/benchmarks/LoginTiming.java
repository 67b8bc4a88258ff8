package io.palisade.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * B7: a locked account, an unknown email and a wrong password are answered after the same work (docs/lockout.md).
 * {@code LockoutTest} counts that work; this times it, at the production password-hashing cost: sign-ins one at a time,
 * the three kinds in turn so that the machine's drift touches each alike, every one from a client address of its own
 * (no address lock), a wrong password at most three times per account (the identifier locks at five).
 */
final class LoginTiming {

    /** Median milliseconds to the 401 of each kind of refused sign-in. */
    record Medians(double wrongPassword, double lockedAccount, double unknownEmail) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRONG_PER_ACCOUNT = 3;
    private static final AtomicLong ADDRESSES = new AtomicLong();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String tenantService;
    private final String ownerToken;
    private final String password;
    private String lockedEmail;
    private long lockedAt;

    LoginTiming(String tenantService, String ownerToken, String password) {
        this.tenantService = tenantService;
        this.ownerToken = ownerToken;
        this.password = password;
    }

    Medians measure(int rounds) throws Exception {
        List<Double> wrong = new ArrayList<>();
        List<Double> locked = new ArrayList<>();
        List<Double> unknown = new ArrayList<>();
        String account = null;
        for (int i = 0; i < rounds; i++) {
            if (i % WRONG_PER_ACCOUNT == 0) {
                account = newAccount();
            }
            String wrongFor = account;
            wrong.add(millis(() -> refused(wrongFor, "Wrong-Passw0rd-" + UUID.randomUUID())));
            String lockedFor = locked();
            locked.add(millis(() -> refused(lockedFor, password)));
            unknown.add(millis(() -> refused("nobody-" + UUID.randomUUID() + "@bench.invalid", password)));
        }
        return new Medians(Figures.median(wrong), Figures.median(locked), Figures.median(unknown));
    }

    /** An account locked by five wrong passwords less than 40 s ago: a first lock lasts a minute. */
    private String locked() throws Exception {
        if (lockedEmail == null || System.nanoTime() - lockedAt > 40_000_000_000L) {
            lockedEmail = newAccount();
            for (int i = 0; i < 5; i++) {
                refused(lockedEmail, "Wrong-Passw0rd-" + i);
            }
            lockedAt = System.nanoTime();
        }
        return lockedEmail;
    }

    private static double millis(Runnable signIn) {
        long start = System.nanoTime();
        signIn.run();
        return (System.nanoTime() - start) / 1e6;
    }

    /** A sign-in that must be refused (401), from an address no other sign-in of the run uses. */
    private void refused(String email, String attempt) {
        long n = ADDRESSES.incrementAndGet();
        HttpResponse<String> answer = send("/auth/login", null, Map.of("email", email, "password", attempt),
                String.format("2001:db8:b7:%x::%x", (n >> 16) & 0xffff, n & 0xffff));
        if (answer.statusCode() != 401) {
            throw new IllegalStateException("a sign-in that should be refused answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /** A staff account of the owner's tenant: invited, then accepted with the password. */
    private String newAccount() throws Exception {
        String email = "b7-" + UUID.randomUUID() + "@bench.invalid";
        String acceptToken = JSON.readTree(expect(send("/invitations", ownerToken, Map.of("email", email, "role", "staff",
                "permissions", List.of("BOOKINGS_READ")), null), 201)).path("acceptToken").asText();
        expect(send("/invitations/accept", null, Map.of("token", acceptToken, "displayName", "B7", "password", password), null), 200);
        return email;
    }

    private static String expect(HttpResponse<String> answer, int status) {
        if (answer.statusCode() != status) {
            throw new IllegalStateException(answer.request().uri().getPath() + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }

    private HttpResponse<String> send(String path, String bearer, Map<String, ?> body, String clientAddress) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tenantService + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            if (clientAddress != null) {
                request.header("X-Forwarded-For", clientAddress);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
