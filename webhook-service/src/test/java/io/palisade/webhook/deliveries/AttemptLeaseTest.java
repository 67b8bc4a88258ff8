package io.palisade.webhook.deliveries;

import static io.palisade.devstack.testing.TestTenancy.execute;
import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Only the attempt holding a delivery's current lease records its result: a late result, whose lease ran out and was
 * taken over, changes and logs nothing, alone or in a batch. A lease is held only while its delivery is pending (the
 * database refuses anything else), which is what lets a recording find the delivery by its key and lease alone.
 */
@QuarkusTest
@TestProfile(LoopbackReceivers.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class AttemptLeaseTest {

    @Inject
    TenantTransactions tx;

    @Inject
    DeliveryRepository deliveries;

    TestTenancy.Tenant tenant;
    UUID delivery;
    UUID lease;

    /** A delivery leased by an attempt in flight, due again only tomorrow, so the running worker leaves it alone. */
    @BeforeEach
    void aLeasedDelivery() throws SQLException {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        tenant = TestTenancy.newTenant(0);
        UUID endpoint = UUID.fromString(register(tenant, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed").id());
        UUID message = UUID.randomUUID();
        delivery = UUID.randomUUID();
        lease = UUID.randomUUID();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            execute(c, "insert into webhook.messages (id, tenant_id, event_id, event_type, body) values (?, ?, ?, 'booking.confirmed', '{}')",
                    message, tenant.id(), UUID.randomUUID().toString());
            execute(c, "insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at, lease, locked_until)"
                    + " values (?, ?, ?, ?, 'pending', now() + interval '1 day', ?, now() + interval '1 hour')", delivery, tenant.id(), endpoint, message, lease);
        }
    }

    @Test
    void aResultWithoutTheCurrentLeaseChangesAndLogsNothing() {
        UUID takenOver = UUID.randomUUID();
        assertEquals(Set.of(), asWorker(c -> deliveries.recordSuccesses(c, List.of(success(takenOver)))), "a batch with a lease taken over");
        assertTrue(asWorker(c -> deliveries.recordAttempt(c, delivery, takenOver, "retrying", 500, 12, "", "HTTP 500",
                OffsetDateTime.now().plusMinutes(1), null)).isEmpty(), "one attempt with a lease taken over");
        assertEquals(1L, count("select count(*) from webhook.deliveries where id = ? and status = 'pending' and lease = ? and attempts = 0", delivery, lease),
                "the delivery is as it was");
        assertEquals(0L, count("select count(*) from webhook.attempts where delivery_id = ?", delivery), "no attempt logged");
    }

    @Test
    void theCurrentLeaseRecordsOnceAndEndsTheLease() {
        assertEquals(Set.of(delivery), asWorker(c -> deliveries.recordSuccesses(c, List.of(success(lease)))));
        assertEquals(Set.of(), asWorker(c -> deliveries.recordSuccesses(c, List.of(success(lease)))), "the same result again");
        assertEquals(1L, count("select count(*) from webhook.deliveries where id = ? and status = 'succeeded' and lease is null and attempts = 1", delivery));
        assertEquals(1L, count("select count(*) from webhook.attempts where delivery_id = ?", delivery), "logged once");
    }

    @Test
    void aFinishedDeliveryHoldsNoLease() throws SQLException {
        asWorker(c -> deliveries.recordSuccesses(c, List.of(success(lease))));
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> execute(c, "update webhook.deliveries set lease = gen_random_uuid() where id = ?", delivery));
            assertEquals("23514", refused.getSQLState(), refused.getMessage());
        }
    }

    private DeliveryRepository.Success success(UUID withLease) {
        return new DeliveryRepository.Success(delivery, withLease, 200, 12, "ok");
    }

    private <T> T asWorker(Function<SqlConnection, Uni<T>> work) {
        return tx.inScope(DbScope.worker(tenant.id()), work).await().indefinitely();
    }

    private static long count(String sql, Object... parameters) {
        return PalisadeTestStack.get().count(sql, parameters);
    }
}
