package io.palisade.audit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.PalisadeTestStack.RunningService;
import io.palisade.devstack.testing.TestTenancy;
import io.vertx.core.json.JsonObject;

/**
 * Figures, not assertions (run on demand: -Pbenchmark, see audit-service/README.md): the lag from an audited
 * mutation in tenant-service to its ledger row, and the rate at which audit-service appends a backlog to the ledger.
 */
class LedgerBenchmark {

    private static final int LAG_MUTATIONS = 500;
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
                while (count("select count(*) from audit.ledger where tenant_id = any(?)", tenants) < BACKLOG) {
                    Thread.sleep(200);
                }
                double wall = (System.nanoTime() - started) / 1e9;
                double span = seconds("select extract(epoch from max(received_at) - min(received_at)) from audit.ledger where tenant_id = any(?)", tenants);
                System.out.printf("ledger ingest: %d events of %d tenants appended in %.1f s from their first to last row = %.0f entries/s"
                        + " (%.1f s including audit-service's start)%n", BACKLOG, BACKLOG_TENANTS, span, BACKLOG / span, wall);
            } finally {
                audit.close();
            }
        }
    }

    /** One audited rename every 20 ms; the lag of each is its ledger row's arrival less the change's commit time. */
    private static void lag(RunningService tenantService) throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        HttpClient http = HttpClient.newHttpClient();
        String token = tenant.ownerToken();
        for (int i = 0; i < LAG_MUTATIONS; i++) {
            long next = System.nanoTime() + 20_000_000L;
            int status = http.send(HttpRequest.newBuilder(URI.create(tenantService.baseUrl() + "/tenant")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(
                            new JsonObject().put("name", "Lag " + i).encode())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) {
                throw new IllegalStateException("rename answered " + status);
            }
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
        List<UUID> only = List.of(tenant.id());
        while (count("select count(*) from audit.ledger where tenant_id = any(?) and action = 'tenant.renamed'", only) < LAG_MUTATIONS) {
            Thread.sleep(200);
        }
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "select percentile_cont(0.5) within group (order by lag), percentile_cont(0.99) within group (order by lag), max(lag)"
                        + " from (select extract(epoch from received_at - occurred_at) as lag from audit.ledger where tenant_id = ?) l")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                System.out.printf("ledger lag (mutation committed in tenant-service -> ledger row), %d renames at 50/s: p50 %.3f s, p99 %.3f s, max %.3f s%n",
                        LAG_MUTATIONS, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3));
            }
        }
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
