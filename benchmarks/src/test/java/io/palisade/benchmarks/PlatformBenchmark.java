package io.palisade.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.palisade.devstack.DevSettings;
import io.palisade.devstack.LocalPlatform;
import io.palisade.devstack.PlatformDatabase;
import io.palisade.devstack.ServiceProcess;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.StartupTraining;
import io.palisade.devstack.testing.HttpLoad;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;

/**
 * Palisade against its own ceilings, each measured in the same run (docs/performance.md): figures, never
 * assertions. Starts the local platform from the packaged services (./mvnw package -DskipTests first), then runs
 * each benchmark {@value #REPETITIONS} times and prints one table of medians and spreads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformBenchmark {

    static final int REPETITIONS = 3;
    private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("benchmark.seconds", 10));
    private static final int CLIENTS = Integer.getInteger("benchmark.clients", 4);
    private static final int ACME_BOOKINGS = 100_000;
    /** The figures were taken at 32 connections. */
    private static final int API_CLIENTS = 32;
    /** Sign-ins of each kind per B7 run: enough for a median when each costs a production-cost bcrypt verification. */
    private static final int LOGIN_ROUNDS = 30;

    private static final Figures figures = new Figures();
    private static LocalPlatform platform;
    private static DevSettings settings;
    private static Path home;

    @BeforeAll
    static void startThePlatform() throws Exception {
        settings = new DevSettings(PalisadeTestStack.localPlatformPorts(1));
        home = TestDirectories.create("benchmark-platform");
        // Each benchmark client is a client address of its own (X-Forwarded-For from the loopback "proxy"), as behind an ingress.
        platform = LocalPlatform.start(Path.of("..").toAbsolutePath().normalize(), home, settings, Map.of(
                "quarkus.http.proxy.proxy-address-forwarding", "true", "quarkus.http.proxy.allow-x-forwarded", "true",
                "quarkus.http.proxy.trusted-proxies", "127.0.0.1"));
    }

    @AfterAll
    static void stopAndPrint() {
        if (platform != null) {
            platform.stop();
        }
        figures.print(Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version() + ", " + RUN.toSeconds() + " s per run, " + CLIENTS + " clients");
    }

    @Test
    @Order(1)
    void b1RowLevelSecurityAgainstAPlainWhere() throws Exception {
        RlsCost rls = new RlsCost(jdbcUrl(), settings.rolePasswords().get("booking_service"));
        rls.seed();
        rls.throughput(true, CLIENTS, Duration.ofSeconds(3));
        rls.throughput(false, CLIENTS, Duration.ofSeconds(3));
        List<Double> plain = new ArrayList<>();
        List<Double> scoped = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        rls.trackFunctions(true);
        for (int i = 0; i < REPETITIONS; i++) {
            plain.add(rls.throughput(false, CLIENTS, RUN));
            scoped.add(rls.throughput(true, CLIENTS, RUN));
            ratio.add(scoped.getLast() / plain.getLast());
        }
        List<String[]> calls = rls.functionCalls();
        rls.trackFunctions(false);
        figures.add("B1", "staff list page + point read, plain WHERE, no RLS (ceiling)", plain, "tx/s");
        figures.add("B1", "the same under RLS, booking_service with the scope set", scoped, "tx/s");
        figures.add("B1", "RLS / plain WHERE", ratio, "ratio");
        double statements = 2 * scoped.stream().mapToDouble(Double::doubleValue).sum() * RUN.toSeconds();
        StringBuilder note = new StringBuilder("B1 policy functions under RLS (pg_stat_user_functions, " + RlsCost.TENANTS + " tenants x "
                + RlsCost.BOOKINGS_PER_TENANT + " bookings):\n");
        for (String[] call : calls) {
            long count = Long.parseLong(call[1]);
            note.append(String.format(java.util.Locale.ROOT, "    %-24s %6.2f calls per statement, %.4f ms per call%n", call[0],
                    count / statements, count == 0 ? 0 : Double.parseDouble(call[2]) / count));
        }
        note.append("B1 the list's plan under RLS (EXPLAIN ANALYZE):\n").append(rls.plan(RlsCost.randomSeeded()));
        figures.note(note.toString());
    }

    @Test
    @Order(2)
    void b2HoldsOnOneHotSlotAgainstOneHotRow() throws Exception {
        HotSlot hot = new HotSlot(platform.baseUrl("tenant-service", 0), platform.baseUrl("booking-service", 0), jdbcUrl());
        hot.signIn("owner@acme.example", settings.demoPassword());
        int day = 30;
        StringBuilder note = new StringBuilder("B2 answers other than 201 and oversold seats per run:\n");
        for (boolean paid : List.of(false, true)) {
            for (int clients : List.of(16, 64)) {
                String kind = (paid ? "paid" : "free") + ", " + clients + " connections";
                List<Double> holds = new ArrayList<>();
                List<Double> ceiling = new ArrayList<>();
                List<Double> ratio = new ArrayList<>();
                List<Double> p99 = new ArrayList<>();
                for (int i = 0; i < REPETITIONS; i++) {
                    UUID slot = hot.newSlot(paid, day++);
                    if (Wrk.installed()) {
                        Wrk.Result result = hot.holdsWithWrk(slot, clients, RUN, home);
                        holds.add(result.answeredPerSecond(RUN));
                        p99.add(result.p99Millis());
                        note.append("    ").append(kind).append(" (wrk): ").append(result.requests()).append(" requests, ").append(result.refused())
                                .append(" not 2xx, oversold ").append(hot.oversold(slot)).append('\n');
                    } else {
                        HttpLoad.Result result = hot.holds(slot, clients, RUN);
                        holds.add(result.count(201) / (double) RUN.toSeconds());
                        p99.add(result.p99Millis());
                        note.append("    ").append(kind).append(": ").append(result.statuses()).append(", oversold ").append(hot.oversold(slot)).append('\n');
                    }
                    ceiling.add(hot.hotRowUpdates(clients, RUN));
                    ratio.add(holds.getLast() / ceiling.getLast());
                }
                figures.add("B2", "holds of one seat on one slot, " + kind, holds, "holds/s");
                figures.add("B2", "  their p99 latency", p99, "ms");
                figures.add("B2", "  one hot-row UPDATE at the same concurrency (ceiling)", ceiling, "updates/s");
                figures.add("B2", "  holds / hot-row UPDATEs", ratio, "ratio");
            }
        }
        figures.note(note.toString());
    }

    @Test
    @Order(3)
    void b3TheApiAgainstItsSql() throws Exception {
        HotSlot acme = new HotSlot(platform.baseUrl("tenant-service", 0), platform.baseUrl("booking-service", 0), jdbcUrl());
        String token = acme.signIn("owner@acme.example", settings.demoPassword());
        com.fasterxml.jackson.databind.JsonNode claims = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        RlsCost.Reader owner = new RlsCost.Reader(UUID.fromString(claims.path("tid").asText()), UUID.fromString(claims.path("sub").asText()), null);
        RlsCost sql = new RlsCost(jdbcUrl(), settings.rolePasswords().get("booking_service"));
        // A busy tenant: the first page must not cost more the more bookings there are.
        sql.addBookings(owner.tenantId(), acme.newSlot(false, 400), ACME_BOOKINGS);
        long bookings = sql.bookingsOf(owner.tenantId());
        String booking = platform.baseUrl("booking-service", 0);
        Map<String, Endpoint> endpoints = new java.util.LinkedHashMap<>();
        endpoints.put("staff GET /bookings?limit=20 (RLS; " + bookings + " bookings)",
                new Endpoint(booking + "/bookings?limit=20", List.of("Authorization: Bearer " + token)));
        endpoints.put("public GET /public/acme/availability (the widget)", new Endpoint(booking + "/public/acme/availability", List.of()));
        endpoints.put("a trivial answer of the same process (404 problem+json)", new Endpoint(booking + "/no-such-route", List.of()));
        boolean wrk = Wrk.installed();
        String generator = wrk ? "wrk" : "HttpLoad";
        Map<String, Double> maxima = new java.util.HashMap<>();
        long bookingService = platform.process("booking-service", 0).pid();
        for (var endpoint : endpoints.entrySet()) {
            List<Double> rate = new ArrayList<>();
            List<CpuTime.Snapshot> cpu = new ArrayList<>();
            // One run unmeasured: on two cores the JIT needs it before the figures mean the code, not its compilation.
            HttpLoad.run(API_CLIENTS, RUN, n -> endpoint.getValue().request());
            for (int i = 0; i < REPETITIONS; i++) {
                CpuTime.Snapshot before = CpuTime.Snapshot.take(bookingService, wrk);
                if (wrk) {
                    Wrk.Result result = Wrk.run(API_CLIENTS, RUN, endpoint.getValue().url(), endpoint.getValue().headers(), null, home);
                    rate.add(result.perSecond());
                    if (result.refused() > 0 && !endpoint.getValue().url().endsWith("/no-such-route")) {
                        figures.note("B3 " + endpoint.getKey() + ": " + result.refused() + " of " + result.requests() + " answers not 2xx");
                    }
                } else {
                    HttpLoad.Result result = HttpLoad.run(API_CLIENTS, RUN, n -> endpoint.getValue().request());
                    rate.add(result.perSecond());
                    if (result.statuses().keySet().stream().anyMatch(s -> s / 100 == 5 || s < 0)) {
                        figures.note("B3 " + endpoint.getKey() + " answered " + result.statuses());
                    }
                }
                cpu.add(CpuTime.Snapshot.take(bookingService, wrk).perUnitMillis(before, rate.getLast() * RUN.toSeconds()));
            }
            maxima.put(endpoint.getKey(), Figures.median(rate));
            figures.add("B3", endpoint.getKey() + ", " + API_CLIENTS + " connections (" + generator + ")", rate, "req/s");
            addCpu("request", cpu, "booking-service", generator);
        }
        List<Double> sqlList = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        List<CpuTime.Snapshot> sqlCpu = new ArrayList<>();
        List<Double> requestSql = new ArrayList<>();
        List<CpuTime.Snapshot> requestSqlCpu = new ArrayList<>();
        String staffList = endpoints.keySet().iterator().next();
        for (int i = 0; i < REPETITIONS; i++) {
            CpuTime.Snapshot before = CpuTime.Snapshot.take(0, false);
            sqlList.add(sql.throughput(true, API_CLIENTS, RUN, () -> owner, false, true, false));
            sqlCpu.add(CpuTime.Snapshot.take(0, false).perUnitMillis(before, sqlList.getLast() * RUN.toSeconds()));
            ratio.add(maxima.get(staffList) / sqlList.getLast());
            before = CpuTime.Snapshot.take(0, false);
            requestSql.add(sql.throughput(true, API_CLIENTS, RUN, () -> owner, true, true, false));
            requestSqlCpu.add(CpuTime.Snapshot.take(0, false).perUnitMillis(before, requestSql.getLast() * RUN.toSeconds()));
        }
        figures.add("B3", "the staff list's SQL without HTTP (JDBC, same scope and connections; ceiling)", sqlList, "tx/s");
        addCpu("transaction", sqlCpu, null, "the JDBC clients");
        figures.add("B3", "  staff list over HTTP / its SQL", ratio, "ratio");
        // Not a ceiling: what of the gap is the request's own SQL (two transactions), what the service's way to it.
        figures.add("B3", "the staff request's SQL without HTTP (the authority's transaction, then the list's)", requestSql, "req/s");
        addCpu("request", requestSqlCpu, null, "the JDBC clients");
        figures.note("B3 the staff list's plan for the tenant of " + bookings + " bookings (EXPLAIN ANALYZE):\n" + sql.plan(owner));
        for (var endpoint : endpoints.entrySet()) {
            List<Double> p50 = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            double half = maxima.get(endpoint.getKey()) / 2;
            for (int i = 0; i < REPETITIONS; i++) {
                HttpLoad.Result result = HttpLoad.run(API_CLIENTS, RUN, half, n -> endpoint.getValue().request());
                p50.add(result.p50Millis());
                p99.add(result.p99Millis());
            }
            figures.add("B3", endpoint.getKey() + " at half its maximum (" + Math.round(half) + "/s): p50", p50, "ms");
            figures.add("B3", "  and p99", p99, "ms");
        }
    }

    /** B3's CPU per request or transaction, each process's median of the runs; no service line without a service. */
    private static void addCpu(String unit, List<CpuTime.Snapshot> runs, String service, String generator) {
        if (service != null) {
            figures.add("B3", "  CPU per " + unit + ", " + service, runs.stream().map(CpuTime.Snapshot::service).toList(), "ms");
        }
        figures.add("B3", "  CPU per " + unit + ", PostgreSQL", runs.stream().map(CpuTime.Snapshot::postgres).toList(), "ms");
        figures.add("B3", "  CPU per " + unit + ", " + generator, runs.stream().map(CpuTime.Snapshot::generator).toList(), "ms");
    }

    /** An endpoint as wrk and HttpLoad both send it. */
    private record Endpoint(String url, List<String> headers) {
        HttpLoad.Request request() {
            return HttpLoad.Request.get(java.net.URI.create(url), headers);
        }
    }

    private static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + settings.postgresPort() + "/" + PlatformDatabase.DATABASE;
    }

    @Test
    @Order(6)
    void b6EachServiceStartedByItself() throws Exception {
        ServiceStartup startup = new ServiceStartup();
        Path root = Path.of("..").toAbsolutePath().normalize();
        if (ServiceProcess.startupCacheSupported() && !allFresh(root)) {
            // As the image's build does: a cache written for this build, before any start is measured.
            if (!StartupTraining.writeCaches(root, home.resolve("training"))) {
                throw new IllegalStateException("the startup caches were not written (see above)");
            }
        }
        for (ServiceSpec service : ServiceSpec.ALL) {
            // Side by side, one start of each in turn: without the startup cache, then with it.
            boolean cached = ServiceProcess.hasFreshStartupCache(root, service);
            List<ServiceProcess.StartupCache> kinds = cached ? List.of(ServiceProcess.StartupCache.NONE, ServiceProcess.StartupCache.USE)
                    : List.of(ServiceProcess.StartupCache.NONE);
            Map<ServiceProcess.StartupCache, List<ServiceStartup.Startup>> runs = new java.util.EnumMap<>(ServiceProcess.StartupCache.class);
            for (int i = 0; i < REPETITIONS; i++) {
                // Which goes first alternates, so that neither always finds the other's files in the page cache.
                for (ServiceProcess.StartupCache kind : i % 2 == 0 ? kinds : kinds.reversed()) {
                    runs.computeIfAbsent(kind, k -> new ArrayList<>()).add(startup.measure(platform, service, kind, home.resolve("logs")));
                }
            }
            runs.forEach((kind, measured) -> {
                String label = service.name() + (kind == ServiceProcess.StartupCache.USE ? ", startup cache" : "");
                figures.add("B6", label + ": start to ready (target 2 s)", measured.stream().map(ServiceStartup.Startup::readySeconds).toList(), "s");
                figures.add("B6", label + ": CPU time to ready", measured.stream().map(ServiceStartup.Startup::cpuSeconds).toList(), "s");
                figures.add("B6", label + ": resident memory after warm-up (target 200 MB)",
                        measured.stream().map(ServiceStartup.Startup::rssMegabytes).toList(), "MB");
            });
            if (cached) {
                List<ServiceStartup.Startup> without = runs.get(ServiceProcess.StartupCache.NONE);
                List<ServiceStartup.Startup> with = runs.get(ServiceProcess.StartupCache.USE);
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < REPETITIONS; i++) {
                    ratios.add(with.get(i).readySeconds() / without.get(i).readySeconds());
                }
                figures.add("B6", service.name() + ": start to ready with the cache / without, start by start", ratios, "");
            }
        }
    }

    @Test
    @Order(7)
    void b7ALockedAccountAgainstAWrongPassword() throws Exception {
        String tenantService = platform.baseUrl("tenant-service", 0);
        String token = new HotSlot(tenantService, platform.baseUrl("booking-service", 0), jdbcUrl()).signIn("owner@acme.example",
                settings.demoPassword());
        LoginTiming timing = new LoginTiming(tenantService, token, settings.demoPassword());
        // One run unmeasured, as in B3: the first sign-ins of each path are the JIT's.
        timing.measure(LOGIN_ROUNDS);
        List<LoginTiming.Medians> runs = new ArrayList<>();
        for (int i = 0; i < REPETITIONS; i++) {
            runs.add(timing.measure(LOGIN_ROUNDS));
        }
        String each = " (median of " + LOGIN_ROUNDS + " in turn)";
        figures.add("B7", "sign-in refused, a wrong password" + each, runs.stream().map(LoginTiming.Medians::wrongPassword).toList(), "ms");
        figures.add("B7", "  a locked account, the right password", runs.stream().map(LoginTiming.Medians::lockedAccount).toList(), "ms");
        figures.add("B7", "  an unknown email", runs.stream().map(LoginTiming.Medians::unknownEmail).toList(), "ms");
        figures.add("B7", "  locked / wrong password", runs.stream().map(m -> m.lockedAccount() / m.wrongPassword()).toList(), "ratio");
        figures.add("B7", "  unknown / wrong password", runs.stream().map(m -> m.unknownEmail() / m.wrongPassword()).toList(), "ratio");
    }

    private static boolean allFresh(Path root) throws java.io.IOException {
        for (ServiceSpec service : ServiceSpec.ALL) {
            if (!ServiceProcess.hasFreshStartupCache(root, service)) {
                return false;
            }
        }
        return true;
    }
}
