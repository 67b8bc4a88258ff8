package io.palisade.webhook.deliveries;

import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.db.Rows;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookApi;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * The worker scope confines a consumer to the tenant of the event it was handed: the event fan-out's own SQL, run
 * for tenant A, neither reads nor writes a row of tenant B, and reaches no table the schema did not open to workers.
 */
@QuarkusTest
@TestProfile(LoopbackReceivers.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class WorkerScopeTest {

    @Inject
    TenantTransactions tx;

    @Inject
    DeliveryRepository deliveries;

    TestTenancy.Tenant a;
    TestTenancy.Tenant b;

    @BeforeEach
    void twoTenantsWithEndpoints() {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        a = TestTenancy.newTenant(0);
        b = TestTenancy.newTenant(0);
        register(a, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed");
        register(b, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed");
    }

    @Test
    void aWorkerForTenantAReadsOnlyTenantAsEndpoints() {
        List<UUID> seen = asWorkerOf(a, c -> c.query("select tenant_id from webhook.endpoints").execute()
                .map(rows -> Rows.all(rows, r -> r.getUUID("tenant_id"))));
        assertEquals(Set.of(a.id()), Set.copyOf(seen), "A's endpoint, none of B's (nor of any other tenant)");
    }

    @Test
    void aWorkerForTenantACannotWriteAMessageOrDeliveryOfTenantB() {
        PgException message = assertThrows(PgException.class,
                () -> asWorkerOf(a, c -> deliveries.storeMessages(c, b.id(), List.of(new DeliveryRepository.NewMessage(UUID.randomUUID().toString(), "booking.confirmed", "{}")))));
        assertEquals("42501", message.getSqlState(), "row-level security refuses B's tenant id");

        // A delivery of A's message to B's endpoints under A's scope: B's endpoints are invisible, nothing is made.
        int made = asWorkerOf(a, c -> c.query("with message as (insert into webhook.messages (id, tenant_id, event_id, event_type, body)"
                + " values (gen_random_uuid(), '" + a.id() + "', '" + UUID.randomUUID() + "', 'booking.confirmed', '{}') returning id)"
                + " insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at)"
                + " select gen_random_uuid(), e.tenant_id, e.id, m.id, 'pending', now() from message m join webhook.endpoints e"
                + " on e.tenant_id = '" + b.id() + "'").execute().map(rows -> rows.rowCount()));
        assertEquals(0, made);
        long bDeliveries = PalisadeTestStack.get()
                .count("select count(*) from webhook.deliveries where tenant_id = ?", b.id());
        assertEquals(0, bDeliveries, "no delivery of B's was written");
    }

    @Test
    void aWorkerForTenantAChangesNoRowOfTenantBAndReachesNoTableNotOpenedToWorkers() {
        // B has a delivery, made by B's own worker scope.
        assertEquals(1, this.<Integer>asWorkerOf(b, c -> deliveries.storeMessages(c, b.id(), List.of(new DeliveryRepository.NewMessage(UUID.randomUUID().toString(), "booking.confirmed", "{}"))))
                .intValue());
        assertEquals(0L, count("select count(*) from webhook.deliveries where tenant_id = '" + b.id() + "'"), "B's deliveries are invisible");
        int changed = asWorkerOf(a, c -> c.query("update webhook.deliveries set status = 'failed' where tenant_id = '" + b.id() + "'").execute()
                .map(rows -> rows.rowCount()));
        assertEquals(0, changed, "and unchangeable");
        changed = asWorkerOf(a, c -> c.query("update webhook.endpoints set enabled = false where tenant_id = '" + b.id() + "'").execute()
                .map(rows -> rows.rowCount()));
        assertEquals(0, changed, "so are B's endpoints");

        // A's own idempotency records are staff's alone: the worker is no member, and no worker policy opens them.
        WebhookApi.as(a.ownerToken()).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(java.util.Map.of("url", "http://receiver.example.test/" + UUID.randomUUID(), "eventTypes", List.of("booking.created")))
                .post("/webhooks/endpoints").then().statusCode(201);
        assertTrue(PalisadeTestStack.get().count("select count(*) from webhook.idempotency_keys where tenant_id = ?", a.id()) > 0);
        assertEquals(0L, count("select count(*) from webhook.idempotency_keys"), "not readable as a worker");
    }

    private long count(String sql) {
        return asWorkerOf(a, c -> c.query(sql).execute().map(rows -> rows.iterator().next().getLong(0)));
    }

    private <T> T asWorkerOf(TestTenancy.Tenant tenant, java.util.function.Function<SqlConnection, Uni<T>> work) {
        return tx.inScope(DbScope.worker(tenant.id()), work).await().indefinitely();
    }
}
