package io.palisade.devstack;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Seeds the demo through the public API, as a person would: two tenants by self-serve signup (finished through the
 * link in the local mail directory), each owner
 * invites a staff member who accepts and publishes offerings with a week of slots, and the owner connects the
 * tenant's Stripe account (the local fake). Safe to run again: existing tenants are left as they are.
 */
final class DemoData {

    private final DevSettings settings;
    private final String tenantService;
    private final String bookingService;
    private final String paymentService;
    private final Path mail;
    private final JsonHttp http = new JsonHttp("demo seeding");

    DemoData(DevSettings settings, String tenantService, String bookingService, String paymentService, Path mail) {
        this.settings = settings;
        this.mail = mail;
        this.tenantService = tenantService;
        this.bookingService = bookingService;
        this.paymentService = paymentService;
    }

    void seed() throws IOException, InterruptedException {
        seedTenant("Acme Tours", "acme", List.of(new Offering("Sunset kayak tour", 4500, 90, 12), new Offering("Harbour walk", 0, 60, 30)));
        seedTenant("Bluewater Dives", "bluewater", List.of(new Offering("Discover scuba", 9900, 180, 6)));
    }

    /** A published offering with a slot at 10:00 on each of the next seven days. */
    private record Offering(String name, long priceMinor, int durationMinutes, int capacity) {
    }

    private void seedTenant(String name, String slug, List<Offering> offerings) throws IOException, InterruptedException {
        String owner = "owner@" + slug + ".example";
        HttpResponse<String> signup = post("/signup", null, Map.of("tenantName", name, "tenantSlug", slug,
                "email", owner, "displayName", "Owner of " + name, "password", settings.demoPassword()));
        if (signup.statusCode() == 409) {
            return;
        }
        http.expect(signup, 202);
        http.expect(post("/signup/complete", null, Map.of("token", signupToken(owner))), 201);
        String token = JsonHttp.JSON.readTree(post("/auth/login", null,
                Map.of("email", owner, "password", settings.demoPassword(), "tenant", slug)).body())
                .path("accessToken").asText();
        JsonNode invitation = JsonHttp.JSON.readTree(http.expect(post("/invitations", token, Map.of("email", "staff@" + slug + ".example",
                "role", "staff", "permissions", List.of("BOOKINGS_READ", "BOOKINGS_WRITE"))), 201).body());
        http.expect(post("/invitations/accept", null, Map.of("token", invitation.path("acceptToken").asText(),
                "displayName", "Staff of " + name, "password", settings.demoPassword())), 200);
        java.time.OffsetDateTime firstDay = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plusDays(1)
                .withHour(10).withMinute(0).withSecond(0).withNano(0);
        for (Offering offering : offerings) {
            String id = JsonHttp.JSON.readTree(http.expect(post(bookingService, "/offerings", token, Map.of("name", offering.name(),
                    "priceMinor", offering.priceMinor(), "currency", "EUR", "durationMinutes", offering.durationMinutes(),
                    "published", true)), 201).body()).path("id").asText();
            for (int day = 0; day < 7; day++) {
                http.expect(post(bookingService, "/offerings/" + id + "/slots", token, Map.of("startsAt", firstDay.plusDays(day).toString(),
                        "capacity", offering.capacity())), 201);
            }
        }
        // The operator connects its Stripe account (the local Stripe fake) and finishes onboarding.
        String onboarding = JsonHttp.JSON.readTree(http.expect(post(paymentService, "/stripe/connect", token, Map.of()), 200).body())
                .path("onboardingUrl").asText();
        http.get(onboarding, null);
    }

    /** The token of the signup link mailed to the address (the services write mail as JSON files locally). */
    private String signupToken(String to) throws IOException, InterruptedException {
        Pattern link = Pattern.compile("/finish-signup#token=([A-Za-z0-9_-]+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(mail)) {
                try (Stream<Path> files = Files.list(mail)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted(Comparator.reverseOrder()).toList()) {
                        JsonNode message = JsonHttp.JSON.readTree(file.toFile());
                        Matcher token = link.matcher(message.path("text").asText());
                        if (to.equals(message.path("to").asText()) && token.find()) {
                            return token.group(1);
                        }
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("demo seeding: no signup link mailed to " + to + " in " + mail);
    }

    private HttpResponse<String> post(String path, String bearer, Object body) throws IOException, InterruptedException {
        return http.post(tenantService + path, bearer, body);
    }

    private HttpResponse<String> post(String service, String path, String bearer, Object body) throws IOException, InterruptedException {
        return http.post(service + path, bearer, body);
    }
}
