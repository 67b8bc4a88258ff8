package io.palisade.audit;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.HttpLoad;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.PalisadeTestStack.RunningService;
import io.palisade.devstack.testing.TestTenancy;
import io.vertx.core.json.JsonObject;

/**
 * Figures, not assertions (run on demand: -Pbenchmark, see audit-service/README.md): the lag from an audited
 * mutation in tenant-service to its ledger row, and the rate at which audit-service appends a backlog to the ledger.
 */
class LedgerBenchmark {

    private static final int LAG_MUTATIONS = 1_000;
    private static final int LAG_TENANTS = 50;
    private static final int LAG_RATE = Integer.getInteger("benchmark.lag-rate", 200);
    private static final int LAG_CONNECTIONS = 16;
    /** Renames before the measured ones: 20 s at the rate by default (-Dbenchmark.lag-warmup). */
    private static final int LAG_WARMUP = Integer.getInteger("benchmark.lag-warmup", LAG_RATE * 20);
    private static final int BACKLOG = 20_000;
    private static final int BACKLOG_TENANTS = 100;

    @Test
    void lagAndIngestRate() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        TestTenancy.ensureSchema();
        ServiceSpec auditService = ServiceSpec.named("audit-service");
        try (RunningService tenantService = stack.startService(ServiceSpec.named("tenant-service"), Map.of())) {
            RunningService audit = stack.startService(auditService, Map.of());
            try {
                lag(tenantService);
            } finally {
                audit.close();
            }
            List<UUID> tenants = backlog();
            long started = System.nanoTime();
            audit = stack.startService(auditService, Map.of());
            try {
                double span = appendedSpan(tenants);
                double wall = (System.nanoTime() - started) / 1e9;
                System.out.printf("ledger ingest: %d events of %d tenants appended in %.1f s from their first to last row = %.0f entries/s"
                        + " (%.1f s including audit-service's start)%n", BACKLOG, BACKLOG_TENANTS, span, BACKLOG / span, wall);
                // The same again to the running service: a backlog met warm, not by a JVM that is still compiling.
                double warmSpan = appendedSpan(backlog());
                System.out.printf("ledger ingest, warm: %d events of %d tenants appended in %.1f s = %.0f entries/s%n", BACKLOG, BACKLOG_TENANTS, warmSpan,
                        BACKLOG / warmSpan);
            } finally {
                audit.close();
            }
        }
    }

    /**
     * Audited renames at a steady rate (-Dbenchmark.lag-rate, 200 per second), sent on schedule, not after the previous
     * answer, round the tenants in turn (renames of one tenant would queue on its row, which is not the ledger's lag);
     * the lag of each is its ledger row's arrival less the start of the change's transaction.
     */
    private static void lag(RunningService tenantService) throws Exception {
        // A warm-up first: the consumer group's first assignment and a cold JIT are not the lag of a running platform. Two
        // services just started spend about half a core each compiling for their first minute (JFR's compiler
        // statistics), which on two cores is most of what 200 renames a second leave free.
        renames(tenantService, LAG_WARMUP);
        List<UUID> ids = renames(tenantService, LAG_MUTATIONS);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "select percentile_cont(0.5) within group (order by lag), percentile_cont(0.99) within group (order by lag), max(lag)"
                        + " from (select extract(epoch from received_at - occurred_at) as lag from audit.ledger where tenant_id = any(?)"
                        + " and action = 'tenant.renamed') l")) {
            st.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                System.out.printf("ledger lag (mutation in tenant-service -> ledger row), %d renames of %d tenants at %d/s after %d to warm up: p50 %.3f s,"
                        + " p99 %.3f s, max %.3f s%n", LAG_MUTATIONS, LAG_TENANTS, LAG_RATE, LAG_WARMUP, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3));
            }
        }
        // Where it goes: from the change to the producing service's relay sending it, and from there to the ledger.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "select percentile_cont(0.5) within group (order by relay), percentile_cont(0.99) within group (order by relay),"
                        + " percentile_cont(0.5) within group (order by ledger), percentile_cont(0.99) within group (order by ledger)"
                        + " from (select extract(epoch from o.published_at - o.occurred_at) as relay, extract(epoch from l.received_at - o.published_at) as ledger"
                        + " from tenancy.outbox o join audit.ledger l on l.event_id = o.id where o.tenant_id = any(?) and o.type = 'tenant.renamed') p")) {
            st.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                System.out.printf("  of which change -> relayed: p50 %.3f s, p99 %.3f s; relayed -> ledger row: p50 %.3f s, p99 %.3f s%n",
                        rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
            }
        }
    }

    /**
     * Audited renames at the rate for as long as {@code count} of them take, round fresh tenants; answers the tenants
     * once all are in the ledger.
     */
    private static List<UUID> renames(RunningService tenantService, int count) throws Exception {
        List<TestTenancy.Tenant> tenants = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < LAG_TENANTS; i++) {
            tenants.add(TestTenancy.newTenant(0));
            tokens.add(tenants.getLast().ownerToken());
        }
        // 16 connections, each at a sixteenth of the rate, sending its next rename when due or when the last is answered,
        // whichever is later: a late send is not lag (its clock starts with the change's transaction), and the printed
        // rate shows whether the schedule held.
        URI tenant = URI.create(tenantService.baseUrl() + "/tenant");
        HttpLoad.Result sent = HttpLoad.run(LAG_CONNECTIONS, Duration.ofMillis(count * 1000L / LAG_RATE), LAG_RATE,
                n -> new HttpLoad.Request("PATCH", tenant, List.of("Authorization: Bearer " + tokens.get((int) (n % LAG_TENANTS)),
                        "Content-Type: application/json"), new JsonObject().put("name", "Lag " + n).encode()));
        if (sent.statuses().keySet().stream().anyMatch(status -> status != 200)) {
            throw new IllegalStateException("renames answered " + sent.statuses());
        }
        System.out.printf("  %d renames sent at %.0f/s%n", sent.count(200), sent.perSecond());
        List<UUID> ids = tenants.stream().map(TestTenancy.Tenant::id).toList();
        while (count("select count(*) from audit.ledger where tenant_id = any(?) and action = 'tenant.renamed'", ids) < sent.count(200)) {
            Thread.sleep(200);
        }
        return ids;
    }

    /** Audit events published straight to the topic while audit-service is down, as a backlog after an outage. */
    private static List<UUID> backlog() {
        List<UUID> tenants = new ArrayList<>();
        for (int i = 0; i < BACKLOG_TENANTS; i++) {
            tenants.add(UUID.randomUUID());
        }
        java.util.Map<String, Object> props = PalisadeTestStack.get().kafka().adminSettings();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < BACKLOG; i++) {
                UUID tenant = tenants.get(i % BACKLOG_TENANTS);
                Map<String, Object> data = new HashMap<>();
                data.put("schemaVersion", 1);
                data.put("action", "booking.cancelled");
                data.put("tenantId", tenant.toString());
                data.put("actor", Map.of("userId", UUID.randomUUID().toString(), "role", "owner", "clientIp", "203.0.113.9"));
                data.put("target", Map.of("type", "booking", "id", "b-" + i));
                data.put("outcome", "success");
                JsonObject event = new JsonObject().put("specversion", "1.0").put("id", UUID.randomUUID().toString()).put("source", "/booking-service")
                        .put("type", "booking.cancelled").put("time", Instant.now().toString()).put("tenantid", tenant.toString())
                        .put("datacontenttype", "application/json").put("data", data);
                producer.send(new ProducerRecord<>("palisade.audit", tenant.toString(), event.encode()));
            }
            producer.flush();
        }
        return tenants;
    }

    /** Waits until the tenants' backlog is all in the ledger; answers the seconds from its first row to its last. */
    private static double appendedSpan(List<UUID> tenants) throws Exception {
        while (count("select count(*) from audit.ledger where tenant_id = any(?)", tenants) < BACKLOG) {
            Thread.sleep(200);
        }
        return seconds("select extract(epoch from max(received_at) - min(received_at)) from audit.ledger where tenant_id = any(?)", tenants);
    }

    private static long count(String sql, List<UUID> tenants) throws Exception {
        return (long) seconds(sql, tenants);
    }

    private static double seconds(String sql, List<UUID> tenants) throws Exception {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("uuid", tenants.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }
}
