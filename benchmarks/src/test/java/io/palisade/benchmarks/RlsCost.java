package io.palisade.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * B1: what row-level security costs on booking-service's staff reads. The same two statements (the first page of
 * the bookings list, and one booking by id, as BookingRepository runs them) over {@value #TENANTS} tenants of
 * {@value #BOOKINGS_PER_TENANT} bookings each: as booking-service's role with the scope set, and as a role that row-level
 * security does not apply to, with the tenant written into the WHERE instead (the ceiling).
 */
final class RlsCost {

    static final int TENANTS = 10_000;
    static final int BOOKINGS_PER_TENANT = 100;

    private static final String COLUMNS = "b.id, b.slot_id, s.offering_id, s.starts_at, b.seats, b.status, b.amount_minor, b.currency,"
            + " b.hold_expires_at, b.created_at from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id";
    /**
     * BookingRepository.list without filters or cursor, as it builds the statement: the staff list's first page of 20
     * (and the row that says more exist).
     */
    private static final String LIST = "select b.id, b.slot_id, s.offering_id, s.starts_at, b.seats, b.status, b.amount_minor, b.currency,"
            + " b.hold_expires_at, b.created_at from (select * from booking.bookings b where true TENANT order by b.created_at, b.id limit 21) b"
            + " join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id order by b.created_at, b.id";
    private static final String POINT = "select " + COLUMNS + " where b.id = ? TENANT";
    /** TenantTransactions' scope of a member of staff. */
    private static final String SET_SCOPE = "select set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true),"
            + " set_config('app.principal', 'staff', true), set_config('app.support_session', '', true), set_config('app.invitation', '', true),"
            + " set_config('app.traceparent', '', true)";

    /** What PermissionAugmentor reads before a staff request's work. */
    private static final String AUTHORITY = "select role, permissions, platform_admin from tenancy.current_authority()";

    private final String url;
    private final String appPassword;

    RlsCost(String url, String appPassword) {
        this.url = url;
        this.appPassword = appPassword;
    }

    /** Tenants with an owner each, one offering, one slot and their bookings; triggers off (seats and admission set directly). */
    void seed() throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("insert into tenancy.tenants (id, slug, name) select md5('t' || g)::uuid, 'bench-' || g, 'Bench ' || g"
                    + " from generate_series(1, " + TENANTS + ") g on conflict do nothing");
            st.execute("insert into tenancy.users (id, email, display_name, password_hash, email_proven_at) select md5('u' || g)::uuid,"
                    + " 'owner@bench-' || g || '.invalid', 'Owner', 'not-a-login', now() from generate_series(1, " + TENANTS + ") g on conflict do nothing");
            // Admitted as its trigger would have it: all three rows active.
            st.execute("insert into tenancy.memberships (tenant_id, user_id, role, permissions, admitted) select md5('t' || g)::uuid,"
                    + " md5('u' || g)::uuid, 'owner', 9223372036854775807, true from generate_series(1, " + TENANTS + ") g on conflict do nothing");
            st.execute("insert into booking.offerings (id, tenant_id, name, price_minor, currency, duration_minutes) select md5('o' || g)::uuid,"
                    + " md5('t' || g)::uuid, 'Bench', 1000, 'EUR', 60 from generate_series(1, " + TENANTS + ") g on conflict do nothing");
            st.execute("insert into booking.slots (id, tenant_id, offering_id, starts_at, ends_at, capacity, seats_taken) select md5('s' || g)::uuid,"
                    + " md5('t' || g)::uuid, md5('o' || g)::uuid, now() + interval '7 days', now() + interval '7 days 1 hour', 10000, "
                    + BOOKINGS_PER_TENANT + " from generate_series(1, " + TENANTS + ") g on conflict do nothing");
            st.execute("insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, public_ref, created_at)"
                    + " select md5('b' || g || '-' || i)::uuid, md5('t' || g)::uuid, md5('s' || g)::uuid, 1, 'confirmed', 1000, 'EUR',"
                    + " md5('r' || g || '-' || i), now() - make_interval(mins => i) from generate_series(1, " + TENANTS + ") g,"
                    + " generate_series(1, " + BOOKINGS_PER_TENANT + ") i on conflict do nothing");
            st.execute("vacuum analyze booking.bookings");
            st.execute("vacuum analyze booking.slots");
            st.execute("vacuum analyze tenancy.memberships");
        }
    }

    /** Who reads: a tenant, one of its members, and one of its bookings. */
    record Reader(UUID tenantId, UUID userId, UUID bookingId) {
    }

    /** A random owner of the seeded tenants and one of its bookings. */
    static Reader randomSeeded() {
        int tenant = ThreadLocalRandom.current().nextInt(1, TENANTS + 1);
        return new Reader(id("t" + tenant), id("u" + tenant), id("b" + tenant + "-" + ThreadLocalRandom.current().nextInt(1, BOOKINGS_PER_TENANT + 1)));
    }

    /** Gives one slot of a tenant {@code count} more bookings (expired holds, as a busy widget leaves them); triggers off. */
    void addBookings(UUID tenant, UUID slot, int count) throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, public_ref, created_at)"
                    + " select gen_random_uuid(), '" + tenant + "', '" + slot + "', 1, 'expired', 0, 'EUR', md5(random()::text || i),"
                    + " now() - make_interval(secs => i) from generate_series(1, " + count + ") i");
            st.execute("vacuum analyze booking.bookings");
        }
    }

    /** The tenant's bookings. */
    long bookingsOf(UUID tenant) throws SQLException {
        try (Connection c = superuser(); PreparedStatement st = c.prepareStatement("select count(*) from booking.bookings where tenant_id = ?")) {
            st.setObject(1, tenant);
            try (ResultSet rows = st.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Transactions per second (list + point read each) of random seeded tenants from {@code clients} connections. */
    double throughput(boolean rls, int clients, Duration length) throws Exception {
        return throughput(rls, clients, length, RlsCost::randomSeeded, false, true, true);
    }

    /**
     * Transactions per second from {@code clients} connections, each the list's first page and/or one point read; with
     * {@code authorityFirst}, each after a transaction of its own that reads the caller's authority, as a staff request
     * does (PermissionAugmentor), counted as one.
     */
    double throughput(boolean rls, int clients, Duration length, Supplier<Reader> readers, boolean authorityFirst, boolean list,
            boolean point) throws Exception {
        LongAdder done = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long end = System.nanoTime() + length.toNanos();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection c = rls ? DriverManager.getConnection(url, "booking_service", appPassword) : superuser()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement scope = c.prepareStatement(SET_SCOPE); PreparedStatement authority = c.prepareStatement(AUTHORITY);
                            PreparedStatement page = c.prepareStatement(LIST.replace("TENANT", rls ? "" : "and b.tenant_id = ?"));
                            PreparedStatement one = c.prepareStatement(POINT.replace("TENANT", rls ? "" : "and b.tenant_id = ?"))) {
                        while (System.nanoTime() < end) {
                            Reader reader = readers.get();
                            if (authorityFirst) {
                                scope.setString(1, reader.tenantId().toString());
                                scope.setString(2, reader.userId().toString());
                                scope.executeQuery().close();
                                drain(authority.executeQuery());
                                c.commit();
                            }
                            if (rls) {
                                scope.setString(1, reader.tenantId().toString());
                                scope.setString(2, reader.userId().toString());
                                scope.executeQuery().close();
                            }
                            if (list) {
                                if (!rls) {
                                    page.setObject(1, reader.tenantId());
                                }
                                drain(page.executeQuery());
                            }
                            if (point) {
                                one.setObject(1, reader.bookingId());
                                if (!rls) {
                                    one.setObject(2, reader.tenantId());
                                }
                                if (drain(one.executeQuery()) != 1) {
                                    throw new IllegalStateException("the point read found no booking");
                                }
                            }
                            c.commit();
                            done.increment();
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return done.sum() / (length.toMillis() / 1000.0);
    }

    /** The generic plan of the list under row-level security, for one reader, as EXPLAIN ANALYZE prints it. */
    String plan(Reader reader) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "booking_service", appPassword)) {
            c.setAutoCommit(false);
            try (PreparedStatement scope = c.prepareStatement(SET_SCOPE)) {
                scope.setString(1, reader.tenantId().toString());
                scope.setString(2, reader.userId().toString());
                scope.executeQuery().close();
            }
            // The generic plan: what PostgreSQL runs for a prepared statement after its first few executions, as the
            // services' statements are (the reactive client prepares every one).
            StringBuilder numbered = new StringBuilder();
            int n = 0;
            for (char ch : LIST.replace("TENANT", "").toCharArray()) {
                numbered.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
            }
            StringBuilder plan = new StringBuilder();
            try (Statement st = c.createStatement()) {
                st.execute("set local plan_cache_mode = force_generic_plan");
                st.execute("prepare list_page as " + numbered);
                try (ResultSet rows = st.executeQuery("explain (analyze, costs off) execute list_page" + (n == 0 ? "" : "(" + "null, ".repeat(n - 1) + "null)"))) {
                    while (rows.next()) {
                        plan.append("    ").append(rows.getString(1)).append('\n');
                    }
                }
            }
            c.rollback();
            return plan.toString();
        }
    }

    /** Counting policy function calls needs track_functions for the service role's sessions. */
    void trackFunctions(boolean on) throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute(on ? "alter role booking_service set track_functions = 'all'" : "alter role booking_service reset track_functions");
            if (on) {
                st.execute("select pg_stat_reset()");
            }
        }
    }

    /** The tenancy functions the policies called since the reset: name, calls, total milliseconds in them. */
    List<String[]> functionCalls() throws Exception {
        Thread.sleep(1500);
        List<String[]> calls = new ArrayList<>();
        try (Connection c = superuser(); Statement st = c.createStatement(); ResultSet rows = st.executeQuery(
                "select funcname, calls, self_time from pg_stat_user_functions where schemaname = 'tenancy' order by calls desc")) {
            while (rows.next()) {
                calls.add(new String[] { rows.getString(1), String.valueOf(rows.getLong(2)), String.valueOf(rows.getDouble(3)) });
            }
        }
        return calls;
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection(url, "postgres", null);
    }

    private static int drain(ResultSet rows) throws SQLException {
        int n = 0;
        try (rows) {
            while (rows.next()) {
                n++;
            }
        }
        return n;
    }

    /** The ids seed() gives: md5 of a label, as PostgreSQL's md5(text)::uuid. */
    static UUID id(String label) {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(label.getBytes(StandardCharsets.UTF_8)));
            return UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
