package io.palisade.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.palisade.devstack.DevSettings;
import io.palisade.devstack.LocalPlatform;
import io.palisade.devstack.PlatformDatabase;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.TestDirectories;

/**
 * The whole platform at two instances of every service, as the chart runs it, against one PostgreSQL and one broker:
 * guests hold seats (free and paid) through both instances, pay through the Stripe fake, staff refund, the tenant's
 * webhook endpoint receives the booking events, every service audits. Halfway through, the second instance of every
 * service is killed with SIGKILL. In the end every piece of background work was done exactly once: every paid booking
 * confirmed by one payment.succeeded, one confirmation mail per booking, each webhook event delivered once, every
 * audit event in the ledger once, each refund once, and no outbox left with an event unsent. Every schema was migrated
 * by its one-shot migration run; the serving roles cannot change it.
 */
class MultiInstanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] SERVICES = ServiceSpec.ALL.stream().map(ServiceSpec::name).toArray(String[]::new);
    private static final int ROUNDS = 12;
    private static final int REFUNDS = 3;

    private static LocalPlatform platform;
    private static DevSettings settings;
    private static HttpServer receiver;
    private static final Map<String, AtomicInteger> deliveredById = new ConcurrentHashMap<>();
    private static int postgresPort;

    @BeforeAll
    static void startTheWholePlatformTwice() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            deliveredById.computeIfAbsent(exchange.getRequestHeaders().getFirst("webhook-id"), id -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Map<String, String> env = io.palisade.devstack.testing.PalisadeTestStack.localPlatformPorts(2);
        postgresPort = Integer.parseInt(env.get("PALISADE_PG_PORT"));
        Map<String, String> extra = Map.of("palisade.webhooks.egress.allow-loopback", "true", "palisade.webhooks.egress.http-allowed-hosts", "127.0.0.1",
                "palisade.webhooks.egress.allowed-ports", String.valueOf(receiver.getAddress().getPort()), "palisade.notifications.interval", "1s",
                // A message claimed by a killed instance is sent by the other once its lease ends.
                "palisade.notifications.lease", "10s");
        Path home = TestDirectories.create("multi-instance");
        settings = new DevSettings(env);
        platform = LocalPlatform.start(Path.of("..").toAbsolutePath().normalize(), home, settings, extra);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.stop();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void everyPieceOfWorkIsDoneOnceThoughAnInstanceOfEachServiceIsKilled() throws Exception {
        String owner = login(1, "owner@acme.example", "acme");
        post("webhook-service", 1, "/webhooks/endpoints", owner, Map.of("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "eventTypes", List.of("booking.created", "booking.confirmed")), 201);
        JsonNode availability = get("booking-service", 0, "/public/acme/availability", null);
        List<String> paid = new ArrayList<>();
        List<String> free = new ArrayList<>();
        for (JsonNode slot : availability) {
            (slot.path("priceMinor").asLong() > 0 ? paid : free).add(slot.path("slotId").asText());
        }

        for (int round = 0; round < ROUNDS; round++) {
            if (round == ROUNDS / 2) {
                for (String service : SERVICES) {
                    platform.process(service, 1).kill();
                }
            }
            int instance = round < ROUNDS / 2 ? round % 2 : 0;
            bookAndPay(instance, paid.get(round % paid.size()), "paying-" + round + "@example.org");
            JsonNode freeHold = post("booking-service", instance, "/public/acme/holds", null, hold(free.get(round % free.size()),
                    "free-" + round + "@example.org"), 201);
            assertEquals("held", freeHold.path("status").asText(), "a free booking waits for its email to be proven");
            JsonNode proven = post("booking-service", instance, "/guest/booking/confirm-email", null,
                    Map.of("token", proofToken("free-" + round + "@example.org")), 200);
            assertEquals("confirmed", proven.path("status").asText());
        }

        await(() -> count("select count(*) from booking.bookings where status = 'confirmed'") == 2L * ROUNDS, "every booking confirmed");
        JsonNode payments = get("payment-service", 0, "/payments?status=succeeded&limit=200", owner).path("items");
        assertEquals(ROUNDS, payments.size(), "one succeeded payment per paid booking");
        for (int i = 0; i < REFUNDS; i++) {
            JsonNode payment = payments.get(i);
            post("payment-service", 0, "/payments/" + payment.path("id").asText() + "/refunds", owner,
                    Map.of("amountMinor", payment.path("amountMinor").asLong(), "reason", "multi-instance test"), 202);
        }
        await(() -> count("select count(*) from booking.bookings where status = 'refunded'") == REFUNDS, "the refunds reach the bookings");
        await(() -> Stream.of("tenancy", "booking", "payment", "audit", "webhook")
                .allMatch(schema -> count("select count(*) from " + schema + ".outbox where published_at is null") == 0), "every outbox relayed");
        long audited = Stream.of("tenancy", "booking", "payment", "audit", "webhook")
                .mapToLong(schema -> count("select count(*) from " + schema + ".outbox where stream = 'audit'")).sum();
        await(() -> count("select count(*) from audit.ledger") == audited, "every audit event in the ledger");
        long webhookEvents = count("select count(*) from booking.outbox where type in ('booking.created', 'booking.confirmed')");
        await(() -> deliveredById.size() == webhookEvents, "every booking event delivered to the endpoint");
        Thread.sleep(3000);

        assertEquals(0, count("select count(*) from (select subject from payment.outbox where type = 'payment.succeeded'"
                + " group by subject having count(*) > 1) twice"), "no booking confirmed by two payment events");
        assertEquals(ROUNDS, count("select count(*) from payment.outbox where type = 'payment.succeeded'"));
        assertEquals(REFUNDS, count("select count(*) from payment.outbox where type = 'payment.refunded'"), "each refund once");
        assertEquals(REFUNDS, count("select count(distinct stripe_refund_id) from payment.refunds"), "one Stripe refund per request");
        assertEquals(audited, count("select count(distinct event_id) from audit.ledger"), "no ledger entry twice");
        assertEquals(webhookEvents, deliveredById.size());
        assertTrue(deliveredById.values().stream().allMatch(n -> n.get() == 1), "no webhook delivered twice: " + deliveredById);
        await(() -> confirmationMails().size() == 2 * ROUNDS, "a confirmation mailed for every booking");
        Thread.sleep(3000);
        Map<String, Integer> confirmations = confirmationMails();
        assertEquals(2 * ROUNDS, confirmations.size(), "a confirmation for every booking: " + confirmations.keySet());
        assertTrue(confirmations.values().stream().allMatch(n -> n == 1), "none twice: " + confirmations);
    }

    /**
     * The serving instances run with their login roles only (the owners' passwords went to the migration runs alone):
     * such a role can neither switch row-level security off nor unforce it on any table of its schema, nor change one.
     */
    @Test
    void aServingRoleCannotTurnRowLevelSecurityOff() throws Exception {
        for (ServiceSpec service : ServiceSpec.ALL) {
            List<String> tables = new ArrayList<>();
            try (Connection c = superuser(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select tablename from pg_tables where schemaname = '" + service.schema() + "'")) {
                while (rs.next()) {
                    tables.add(service.schema() + "." + rs.getString(1));
                }
            }
            assertTrue(tables.size() > 3, service.schema() + " has its tables");
            try (Connection c = DriverManager.getConnection(jdbcUrl(), service.appRole(), settings.rolePasswords().get(service.appRole()))) {
                for (String table : tables) {
                    for (String change : List.of("disable row level security", "no force row level security", "add column sneaky text")) {
                        try (Statement st = c.createStatement()) {
                            st.execute("alter table " + table + " " + change);
                            throw new AssertionError(service.appRole() + " could " + change + " on " + table);
                        } catch (java.sql.SQLException refused) {
                            assertEquals("42501", refused.getSQLState(), service.appRole() + " " + change + " " + table + ": " + refused.getMessage());
                        }
                    }
                }
            }
        }
    }

    private void bookAndPay(int instance, String slot, String email) throws Exception {
        JsonNode hold = post("booking-service", instance, "/public/acme/holds", null, hold(slot, email), 201);
        // payment-service learns of the hold from booking.created, a moment after it was made.
        HttpResponse<String> checkout;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            checkout = send("payment-service", instance, HttpRequest.newBuilder().header("X-Guest-Token", hold.path("paymentToken").asText())
                    .POST(HttpRequest.BodyPublishers.noBody()), "/guest/payment");
            if (checkout.statusCode() == 409 && System.nanoTime() < deadline) {
                Thread.sleep(300);
            }
        } while (checkout.statusCode() == 409 && System.nanoTime() < deadline);
        assertEquals(200, checkout.statusCode(), checkout.body());
        JsonNode intent = JSON.readTree(checkout.body());
        String secret = intent.path("clientSecret").asText();
        HttpResponse<String> confirmed = HTTP.send(HttpRequest.newBuilder(URI.create(platform.stripe().apiBase() + "/v1/payment_intents/"
                        + secret.substring(0, secret.indexOf("_secret_")) + "/confirm"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("sk_test_palisade_local:".getBytes(StandardCharsets.UTF_8)))
                .header("Stripe-Account", intent.path("stripeAccount").asText()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("payment_method=pm_card_visa")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, confirmed.statusCode(), confirmed.body());
    }

    private static Map<String, Object> hold(String slot, String email) {
        return Map.of("slotId", slot, "seats", 1, "guest", Map.of("name", "Guest " + email, "email", email));
    }

    /** The token of the email proof link mailed with a hold to the address (waiting for the mail to land). */
    private static String proofToken(String to) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(platform.mailDirectory())) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    JsonNode mail = JSON.readTree(file.toFile());
                    String text = mail.path("text").asText();
                    if (to.equals(mail.path("to").asText()) && text.contains("#token=")) {
                        return text.substring(text.indexOf("#token=") + "#token=".length()).split("\\s")[0];
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no email proof link to " + to);
    }

    /** Confirmation mails per recipient (every guest here has one booking). */
    private static Map<String, Integer> confirmationMails() throws IOException {
        Map<String, Integer> perGuest = new HashMap<>();
        try (Stream<Path> files = Files.list(platform.mailDirectory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode mail = JSON.readTree(file.toFile());
                if (mail.path("subject").asText().startsWith("Your booking is confirmed")) {
                    perGuest.merge(mail.path("to").asText(), 1, Integer::sum);
                }
            }
        }
        return perGuest;
    }

    private static String login(int instance, String email, String tenant) throws Exception {
        return post("tenant-service", instance, "/auth/login", null, Map.of("email", email, "password", "Demo-Passw0rd!2026", "tenant", tenant), 200)
                .path("accessToken").asText();
    }

    private static JsonNode get(String service, int instance, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder().GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = send(service, instance, request, path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private static JsonNode post(String service, int instance, String path, String bearer, Object body, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder().header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString()).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = send(service, instance, request, path);
        assertEquals(status, response.statusCode(), service + " " + path + ": " + response.body());
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(String service, int instance, HttpRequest.Builder request, String path) throws Exception {
        return HTTP.send(request.uri(URI.create(platform.baseUrl(service, instance) + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + PlatformDatabase.DATABASE;
    }

    private static Connection superuser() throws java.sql.SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", null);
    }

    private static long count(String sql) {
        try (Connection c = superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, what + " within 120 s");
            Thread.sleep(500);
        }
    }
}
