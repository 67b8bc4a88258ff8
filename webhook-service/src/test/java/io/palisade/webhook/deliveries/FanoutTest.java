package io.palisade.webhook.deliveries;

import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.db.Rows;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.ContractSamples;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A poll of domain events, several tenants' in one transaction: each event once as its tenant's message, whatever
 * the redeliveries (within the poll too), a delivery to each of that tenant's endpoints subscribed to its type and to
 * no other tenant's, due in the order the events came.
 */
@QuarkusTest
@TestProfile(LoopbackReceivers.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class FanoutTest {

    @Inject
    EventFanout fanout;

    @Inject
    TenantTransactions tx;

    @Inject
    DeliveryRepository deliveries;

    @Test
    void aPollStoresEachEventOnceWithADeliveryPerSubscribedEndpointOfItsTenant() {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        register(a, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed");
        register(a, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed", "booking.cancelled");
        register(b, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed");
        CloudEvent confirmedA = event(a, "booking.confirmed");
        CloudEvent cancelledA = event(a, "booking.cancelled");
        CloudEvent expiredA = event(a, "booking.expired");
        CloudEvent confirmedB = event(b, "booking.confirmed");
        List<CloudEvent> poll = List.of(confirmedA, confirmedB, cancelledA, confirmedA, expiredA);

        fanout.handleAll(poll).await().indefinitely();
        fanout.handleAll(poll).await().indefinitely();

        assertEquals(3L, count("select count(*) from webhook.messages where tenant_id = ?", a.id()), "A's three events, each once");
        assertEquals(2L, deliveriesOf(confirmedA), "both of A's endpoints subscribed to booking.confirmed");
        assertEquals(1L, deliveriesOf(cancelledA), "one subscribed to booking.cancelled");
        assertEquals(0L, deliveriesOf(expiredA), "none to booking.expired");
        assertEquals(1L, count("select count(*) from webhook.messages where tenant_id = ?", b.id()));
        assertEquals(1L, deliveriesOf(confirmedB), "B's one endpoint, none of A's");
    }

    @Test
    void aPollsDeliveriesAreDueInTheOrderItsEventsCame() {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        register(tenant, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed");
        List<DeliveryRepository.NewMessage> messages = IntStream.range(0, 50)
                .mapToObj(i -> new DeliveryRepository.NewMessage(UUID.randomUUID().toString(), "booking.confirmed", "{}")).toList();
        // Read inside the storing transaction and rolled back, before the running worker sends any of them.
        RolledBack read = assertThrows(RolledBack.class, () -> tx.inScope(DbScope.worker(tenant.id()), c -> deliveries.storeMessages(c, tenant.id(), messages)
                .chain(() -> c.preparedQuery("select m.event_id, d.next_attempt_at <= now() as due from webhook.deliveries d join webhook.messages m"
                        + " on m.id = d.message_id where d.tenant_id = $1 order by d.next_attempt_at, d.id").execute(Tuple.of(tenant.id())))
                .chain(rows -> Uni.createFrom().<Void>failure(new RolledBack(Rows.all(rows, r -> r.getBoolean("due") ? r.getString("event_id") : "not due")))))
                .await().indefinitely());
        assertEquals(messages.stream().map(DeliveryRepository.NewMessage::eventId).toList(), read.eventIds(), "due now, in the order given");
    }

    /** Ends a transaction with what it read. */
    private static final class RolledBack extends RuntimeException {
        private final List<String> eventIds;

        RolledBack(List<String> eventIds) {
            super("rolled back", null, false, false);
            this.eventIds = new ArrayList<>(eventIds);
        }

        List<String> eventIds() {
            return eventIds;
        }
    }

    private static CloudEvent event(TestTenancy.Tenant tenant, String type) {
        return CloudEvent.parse(new JsonObject().put("specversion", "1.0").put("id", UUID.randomUUID().toString()).put("source", "/booking-service")
                .put("type", type).put("time", Instant.now().toString()).put("tenantid", tenant.id().toString())
                .put("data", new JsonObject(ContractSamples.sample(type))).encode());
    }

    private static long deliveriesOf(CloudEvent event) {
        return count("select count(*) from webhook.deliveries d join webhook.messages m on m.id = d.message_id where m.event_id = ?", event.id());
    }

    private static long count(String sql, Object... parameters) {
        return PalisadeTestStack.get().count(sql, parameters);
    }
}
