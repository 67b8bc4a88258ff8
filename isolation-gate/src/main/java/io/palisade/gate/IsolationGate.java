package io.palisade.gate;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The two-tenant gate (docs/operations.md, "Upgrades"): the owners of the gate's two tenants sign in; A creates an
 * object on every service; B asks for each by id, tries to change one, and looks for A's audit entries: every answer
 * must be 404 or empty, A's objects unchanged; and the live isolation proof must pass. A's webhook endpoint and
 * invitation are removed again. Exit 0 only when every check passed.
 * <p>
 * The two tenants are kept by tenant-service's migration run (isolation-gate-a and -b, owners owner@&lt;slug&gt;.invalid)
 * with the password of the operator's Secret: signup continues by mail, which the gate cannot read.
 * <p>
 * Configured by the environment: TENANT_SERVICE_URL, BOOKING_SERVICE_URL, PAYMENT_SERVICE_URL, AUDIT_SERVICE_URL,
 * WEBHOOK_SERVICE_URL (the services inside the cluster), GATE_PASSWORD (the two owners' password), and
 * GATE_WEBHOOK_URL, where tenant A's webhook endpoint points (never called: the endpoint only has to be accepted).
 */
public final class IsolationGate {

    public static final List<String> SERVICES = List.of("tenant-service", "booking-service", "payment-service", "audit-service", "webhook-service");
    static final String DEFAULT_WEBHOOK_URL = "https://example.com/palisade-isolation-gate";
    private static final Duration AUDIT_WAIT = Duration.ofSeconds(60);

    private final Palisade palisade;
    private final String webhookUrl;
    private final String password;
    private final SecureRandom random = new SecureRandom();
    private final List<Check> checks = new ArrayList<>();

    /** One check and its outcome. */
    public record Check(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + name + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /** A tenant's owner, signed in. */
    private record Owner(String slug, String userId, String token) {
    }

    public IsolationGate(Map<String, String> urls, String webhookUrl, String password) {
        this.palisade = new Palisade(urls);
        this.webhookUrl = webhookUrl;
        this.password = password;
    }

    public static void main(String[] args) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String service : SERVICES) {
            String variable = service.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL";
            String url = System.getenv(variable);
            if (url == null || url.isBlank()) {
                System.err.println("FAIL configuration: " + variable + " is not set");
                System.exit(2);
            }
            urls.put(service, url);
        }
        String password = System.getenv("GATE_PASSWORD");
        if (password == null || password.isBlank()) {
            System.err.println("FAIL configuration: GATE_PASSWORD is not set");
            System.exit(2);
        }
        String webhookUrl = System.getenv().getOrDefault("GATE_WEBHOOK_URL", DEFAULT_WEBHOOK_URL);
        List<Check> checks = new IsolationGate(urls, webhookUrl, password).run();
        checks.forEach(System.out::println);
        boolean passed = checks.stream().allMatch(Check::passed);
        System.out.println(passed ? "isolation gate passed" : "isolation gate FAILED");
        System.exit(passed ? 0 : 1);
    }

    /** Runs every check; a failure to set up (a service down, a sign-in refused) is a failed check too. */
    public List<Check> run() {
        try {
            probe();
        } catch (RuntimeException e) {
            checks.add(new Check("setup", false, e.getMessage()));
        }
        return List.copyOf(checks);
    }

    private void probe() {
        Owner a = signIn("a");
        Owner b = signIn("b");
        String run = HexFormat.of().formatHex(randomBytes(5));

        JsonNode invitation = palisade.call("tenant-service", "POST", "/invitations", a.token(),
                Map.of("email", "staff-" + run + "@" + a.slug() + ".invalid", "role", "staff", "permissions", List.of("BOOKINGS_READ")))
                .require(201, "A invites a member");
        String offeringName = "Gate offering " + run;
        JsonNode offering = palisade.call("booking-service", "POST", "/offerings", a.token(), Map.of("name", offeringName,
                "priceMinor", 1000, "currency", "EUR", "durationMinutes", 60, "published", false)).require(201, "A creates an offering");
        JsonNode giftCard = palisade.call("payment-service", "POST", "/gift-cards", a.token(), Map.of("amountMinor", 500, "currency", "EUR",
                "note", "isolation gate")).require(201, "A issues a gift card");
        JsonNode endpoint = palisade.call("webhook-service", "POST", "/webhooks/endpoints", a.token(), Map.of("url", webhookUrl,
                "eventTypes", List.of("booking.created"))).require(201, "A registers a webhook endpoint").path("endpoint");

        notFound("tenant-service: B reads A's member", "tenant-service", "GET", "/members/" + a.userId(), b, null);
        notFound("tenant-service: B reads A's invitation", "tenant-service", "GET", "/invitations/" + id(invitation), b, null);
        notFound("booking-service: B reads A's offering's slots", "booking-service", "GET", "/offerings/" + id(offering) + "/slots", b, null);
        notFound("booking-service: B renames A's offering", "booking-service", "PATCH", "/offerings/" + id(offering), b, Map.of("name", "renamed by B"));
        notFound("payment-service: B reads A's gift card", "payment-service", "GET", "/gift-cards/" + id(giftCard), b, null);
        notFound("webhook-service: B reads A's webhook endpoint", "webhook-service", "GET", "/webhooks/endpoints/" + id(endpoint), b, null);

        boolean unchanged = false;
        for (JsonNode mine : palisade.call("booking-service", "GET", "/offerings", a.token(), null).require(200, "A lists its offerings")) {
            unchanged |= id(mine).equals(id(offering)) && mine.path("name").asText().equals(offeringName);
        }
        checks.add(new Check("booking-service: A's offering is unchanged", unchanged, unchanged ? "" : "renamed, or gone from A's list"));

        auditIsolated(a, b, id(offering));

        for (Owner owner : List.of(a, b)) {
            JsonNode proof = palisade.call("tenant-service", "GET", "/security/isolation-proof", owner.token(), null)
                    .require(200, "the isolation proof");
            boolean passed = proof.path("pass").asBoolean(false);
            checks.add(new Check("tenant-service: the live isolation proof passes for " + owner.slug(), passed,
                    passed ? "" : proof.toString()));
        }

        // The gate's tenants outlive the run: what would keep acting (an endpoint, an open invitation) goes.
        removed("webhook-service: A's webhook endpoint is removed", "webhook-service", "/webhooks/endpoints/" + id(endpoint), a);
        removed("tenant-service: A's invitation is revoked", "tenant-service", "/invitations/" + id(invitation), a);
    }

    private void removed(String name, String service, String path, Owner owner) {
        Palisade.Answer answer = palisade.call(service, "DELETE", path, owner.token(), null);
        boolean passed = answer.status() / 100 == 2;
        checks.add(new Check(name, passed, passed ? "" : "answered " + answer.status() + " " + answer.text()));
    }

    /** A's change of this run reaches the ledger (it works at all), and B's view of the ledger holds none of it. */
    private void auditIsolated(Owner a, Owner b, String offeringId) {
        String byA = "/audit/entries?limit=100&actorId=" + a.userId() + "&targetId=" + offeringId;
        long deadline = System.nanoTime() + AUDIT_WAIT.toNanos();
        int seenByA = 0;
        while (seenByA == 0 && System.nanoTime() < deadline) {
            seenByA = palisade.call("audit-service", "GET", byA, a.token(), null).require(200, "A reads its audit entries").path("items").size();
            if (seenByA == 0) {
                sleep();
            }
        }
        checks.add(new Check("audit-service: A's changes are in A's ledger", seenByA > 0, seenByA > 0 ? "" : "none within " + AUDIT_WAIT.toSeconds() + " s"));
        int seenByB = palisade.call("audit-service", "GET", byA, b.token(), null).require(200, "B reads its audit entries").path("items").size();
        checks.add(new Check("audit-service: B's ledger holds none of A's entries", seenByB == 0, seenByB == 0 ? "" : seenByB + " of A's entries"));
    }

    private void notFound(String name, String service, String method, String path, Owner asker, Object body) {
        Palisade.Answer answer = palisade.call(service, method, path, asker.token(), body);
        checks.add(new Check(name, answer.status() == 404, answer.status() == 404 ? "" : "answered " + answer.status() + " " + answer.text()));
    }

    private Owner signIn(String label) {
        String slug = "isolation-gate-" + label;
        String token = palisade.call("tenant-service", "POST", "/auth/login", null, Map.of("email", "owner@" + slug + ".invalid",
                "password", password, "tenant", slug)).require(200, "sign-in of " + slug).path("accessToken").asText();
        return new Owner(slug, claims(token).path("sub").asText(), token);
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static JsonNode claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new IllegalStateException("the access token is not a JWT");
        }
        try {
            return Palisade.JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the access token's claims are not JSON", e);
        }
    }

    private static String id(JsonNode object) {
        String id = object.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalStateException("no id in " + object);
        }
        return id;
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
