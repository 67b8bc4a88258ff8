package io.palisade.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack.RunningService;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * 1,200 audited mutations (tenant renames in tenant-service) while the broker is stopped and started again and
 * audit-service is killed and started again: every audit event is in the ledger exactly once, the chain holds,
 * and the archive has every entry. Both services run from their build output, as in production.
 */
class LedgerResilienceIT {

    private static final int PHASE = 300;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Renames the tenant to "Resilience <i>" for each i in [from, to), four clients at a time; each must succeed. */
    private static void rename(ExecutorService clients, RunningService tenantService, TestTenancy.Tenant tenant, int from, int to) throws Exception {
        List<Future<Integer>> answers = new ArrayList<>();
        String token = tenant.ownerToken();
        for (int i = from; i < to; i++) {
            String body = new JsonObject().put("name", "Resilience " + i).encode();
            answers.add(clients.submit(() -> HTTP.send(HttpRequest.newBuilder(URI.create(tenantService.baseUrl() + "/tenant"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()));
        }
        for (Future<Integer> answer : answers) {
            assertEquals(200, answer.get());
        }
    }

    /** Renames in the ledger: all rows, distinct event ids, distinct new names. */
    private static long[] ledgerCounts(TestTenancy.Tenant tenant) throws Exception {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select count(*), count(distinct event_id), count(distinct entry->'after'->>'name')"
                        + " from audit.ledger where tenant_id = ? and action = 'tenant.renamed'")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
            }
        }
    }

    private static long archivedEntries(Path archive, TestTenancy.Tenant tenant) throws Exception {
        long count = 0;
        try (Stream<Path> files = Files.list(archive)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("segment-")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (line.endsWith("}") && line.contains("\"type\":\"entry\"") && line.contains("\"chainKey\":\"" + tenant.id() + "\"")) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static JsonObject get(RunningService service, String path, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body().startsWith("[") ? new JsonObject().put("items", new JsonArray(response.body())) : new JsonObject(response.body());
    }

    @Test
    void everyAuditEventReachesTheLedgerExactlyOnceThroughBrokerAndServiceOutages() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        TestTenancy.ensureSchema();
        Path archive = TestDirectories.create("resilience-archive");
        Map<String, String> auditConfig = Map.of("palisade.audit.archive.directory", archive.toString(), "palisade.audit.archive.every", "1s",
                "palisade.audit.archive.segment-records", "500", "palisade.audit.checkpoint-interval", "2s");
        ServiceSpec auditService = ServiceSpec.named("audit-service");
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (RunningService tenantService = stack.startService(ServiceSpec.named("tenant-service"), Map.of())) {
            RunningService audit = stack.startService(auditService, auditConfig);
            try {
                TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
                long start = System.nanoTime();
                rename(clients, tenantService, tenant, 0, PHASE);
                stack.kafka().stop();
                rename(clients, tenantService, tenant, PHASE, 2 * PHASE);
                stack.kafka().start();
                rename(clients, tenantService, tenant, 2 * PHASE, 3 * PHASE);
                audit.process().kill();
                rename(clients, tenantService, tenant, 3 * PHASE, 4 * PHASE);
                long mutated = System.nanoTime();
                audit = stack.startService(auditService, auditConfig);

                long total = 4 * PHASE;
                long deadline = System.nanoTime() + 240_000_000_000L;
                while (ledgerCounts(tenant)[0] < total && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                long complete = System.nanoTime();
                Thread.sleep(3000);
                long[] counts = ledgerCounts(tenant);
                assertEquals(total, counts[0], "every rename is in the ledger, none twice");
                assertEquals(total, counts[1], "distinct event ids");
                assertEquals(total, counts[2], "each rename's own entry");

                JsonObject verification = get(audit, "/audit/verify", tenant.ownerToken());
                assertNull(verification.getValue("brokenAt"), verification.encode());
                assertEquals(total, verification.getLong("entries"));

                List<Map<String, Object>> published = TestEvents.read("palisade.audit", tenant.id().toString());
                long distinctOnTopic = new HashSet<>(published.stream().map(e -> e.get("id")).toList()).size();
                assertEquals(total, distinctOnTopic, "every event reached the topic");

                String publicKey = get(audit, "/audit/checkpoint-keys", tenant.ownerToken()).getJsonArray("items").getJsonObject(0).getString("publicKey");
                long archiveDeadline = System.nanoTime() + 60_000_000_000L;
                while (archivedEntries(archive, tenant) < total && System.nanoTime() < archiveDeadline) {
                    Thread.sleep(250);
                }
                assertEquals(total, archivedEntries(archive, tenant), "the archive has every entry once");
                ArchiveVerifier.Result archived = ArchiveVerifier.verify(archive, List.of(publicKey), true);
                assertTrue(archived.holds(), archived.toString());

                System.out.printf("resilience: %d mutations in %.1f s (broker stopped and started, audit-service killed and started);"
                        + " ledger complete %.1f s after the last mutation; %d records on the topic for %d events (%d published again),"
                        + " each stored once; archive: %s%n", total, (mutated - start) / 1e9, (complete - mutated) / 1e9, published.size(),
                        total, published.size() - total, archived);
            } finally {
                audit.close();
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
