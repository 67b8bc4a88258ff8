package io.palisade.webhook.deliveries;

import static io.palisade.devstack.testing.TestTenancy.execute;
import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A claim reads the head of the due queue, not the backlog, whatever the statistics say: here they are taken before a
 * burst of due deliveries, as a running platform's autovacuum has them when a burst comes. Counted in index entries
 * read, so the claim's cost does not grow with the backlog.
 */
@QuarkusTest
@TestProfile(LoopbackReceivers.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class ClaimTest {

    private static final int BACKLOG = 2000;

    @Test
    void aClaimReadsTheHeadOfTheDueQueueNotTheBacklog() throws SQLException {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        UUID endpoint = UUID.fromString(register(tenant, "http://receiver.example.test/" + UUID.randomUUID(), "booking.confirmed").id());
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            // One transaction, rolled back: the running worker never sees the burst.
            c.setAutoCommit(false);
            try {
                execute(c, "analyze webhook.deliveries");
                execute(c, "insert into webhook.messages (id, tenant_id, event_id, event_type, body) select gen_random_uuid(), ?, 'burst-' || g,"
                        + " 'booking.confirmed', '{}' from generate_series(1, " + BACKLOG + ") g", tenant.id());
                execute(c, "insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at) select gen_random_uuid(),"
                        + " m.tenant_id, ?, m.id, 'pending', now() - interval '1 day' from webhook.messages m where m.tenant_id = ?", endpoint, tenant.id());
                long before = dueIndexEntriesRead(c);
                long claimed = single(c, "select count(*) from webhook.claim_due(5, 4, 60)");
                long read = dueIndexEntriesRead(c) - before;
                assertEquals(4, claimed, "one endpoint: as many as it may have in flight");
                assertTrue(read <= 5 * 4 + 20, read + " entries of the due index read for a claim of at most 20 candidates, with " + BACKLOG + " due");
            } finally {
                c.rollback();
            }
        }
    }

    /** Entries of the due index read by this transaction so far. */
    private static long dueIndexEntriesRead(Connection c) throws SQLException {
        return single(c, "select pg_stat_get_xact_tuples_returned('webhook.deliveries_due_idx'::regclass)");
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
