package io.palisade.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.palisade.devstack.testing.HttpLoad;

/**
 * B2: anonymous holds of one seat on one hot slot of the demo tenant, over HTTP, each from a client of its own
 * (its own /56, its own email: no per-client limit is reached), against the ceiling of that contention: one
 * single-row UPDATE of one hot row at the same concurrency. Afterwards the slot must not be oversold.
 */
final class HotSlot {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Clients never repeat within a run of the benchmark: every hold is a new address and email. */
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final String tenantService;
    private final String bookingService;
    private final String jdbcUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private String ownerToken;

    HotSlot(String tenantService, String bookingService, String jdbcUrl) {
        this.tenantService = tenantService;
        this.bookingService = bookingService;
        this.jdbcUrl = jdbcUrl;
    }

    /** Signs in as the demo tenant's owner; the access token. */
    String signIn(String email, String password) throws Exception {
        ownerToken = post(tenantService + "/auth/login", null, Map.of("email", email, "password", password, "tenant", "acme"))
                .path("accessToken").asText();
        return ownerToken;
    }

    /** A published offering (free or paid) with one slot of the largest capacity, a month or more ahead. */
    UUID newSlot(boolean paid, int daysAhead) throws Exception {
        String offering = post(bookingService + "/offerings", ownerToken, Map.of("name", "Hot slot " + UUID.randomUUID(), "priceMinor",
                paid ? 4500 : 0, "currency", "EUR", "durationMinutes", 60, "published", true)).path("id").asText();
        OffsetDateTime startsAt = OffsetDateTime.now(ZoneOffset.UTC).plusDays(daysAhead).withHour(9).withMinute(0).withSecond(0).withNano(0);
        return UUID.fromString(post(bookingService + "/offerings/" + offering + "/slots", ownerToken, Map.of("startsAt", startsAt.toString(),
                "capacity", 10000)).path("id").asText());
    }

    HttpLoad.Result holds(UUID slot, int clients, Duration length) throws InterruptedException {
        URI holds = URI.create(bookingService + "/public/acme/holds");
        return HttpLoad.run(clients, length, n -> {
            long client = CLIENTS.incrementAndGet();
            String body = "{\"slotId\":\"" + slot + "\",\"seats\":1,\"guest\":{\"name\":\"Guest " + client + "\",\"email\":\"guest-" + client
                    + "@bench.invalid\"}}";
            return new HttpLoad.Request("POST", holds, List.of("Content-Type: application/json",
                    "X-Forwarded-For: " + String.format("2001:db8:%x:%x00::1", (client >> 8) & 0xffff, client & 0xff)), body);
        });
    }

    /**
     * The same holds from wrk: a Lua script gives each request a client address and an email of its own (numbers from
     * a base this run alone uses, one series per wrk thread).
     */
    Wrk.Result holdsWithWrk(UUID slot, int clients, Duration length, java.nio.file.Path scratch) throws java.io.IOException, InterruptedException {
        long base = CLIENTS.getAndAdd(10_000_000);
        String script = """
                local threads = 0
                function setup(thread)
                  thread:set("series", threads)
                  threads = threads + 1
                end
                function init(args)
                  n = 0
                end
                function request()
                  n = n + 1
                  local client = BASE + n * 2 + series
                  local body = string.format('{"slotId":"SLOT","seats":1,"guest":{"name":"Guest %d","email":"guest-%d@bench.invalid"}}', client, client)
                  wrk.headers["Content-Type"] = "application/json"
                  wrk.headers["X-Forwarded-For"] = string.format("2001:db8:%x:%x00::1", math.floor(client / 256) % 65536, client % 256)
                  return wrk.format("POST", nil, nil, body)
                end
                """.replace("BASE", Long.toString(base)).replace("SLOT", slot.toString());
        return Wrk.run(clients, length, bookingService + "/public/acme/holds", java.util.List.of(), script, scratch);
    }

    /** The ceiling: single-row UPDATEs of one hot row per second, autocommitted, from {@code clients} connections. */
    double hotRowUpdates(int clients, Duration length) throws Exception {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("create table if not exists public.benchmark_hot_row (id int primary key, n bigint not null)");
            st.execute("insert into public.benchmark_hot_row values (1, 0) on conflict do nothing");
        }
        LongAdder done = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + length.toNanos();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection c = superuser(); PreparedStatement update = c.prepareStatement("update public.benchmark_hot_row set n = n + 1 where id = 1")) {
                    while (System.nanoTime() < end) {
                        update.executeUpdate();
                        done.increment();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return done.sum() / (length.toMillis() / 1000.0);
    }

    /** Seats taken beyond capacity, plus any difference between the slot's count and its active bookings' seats. */
    long oversold(UUID slot) throws SQLException {
        try (Connection c = superuser(); PreparedStatement st = c.prepareStatement("select greatest(s.seats_taken - s.capacity, 0)"
                + " + abs(s.seats_taken - (select coalesce(sum(b.seats), 0) from booking.bookings b where b.slot_id = s.id"
                + " and b.status in ('held', 'pending_payment', 'confirmed'))) from booking.slots s where s.id = ?")) {
            st.setObject(1, slot);
            try (ResultSet rows = st.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", null);
    }

    private JsonNode post(String url, String bearer, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }
}
