package io.palisade.webhook.plumbing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * The upkeep scope (the outbox relay, the purges) crosses tenants only where its policies say: it reads the outbox
 * and may set published_at once, and sees and deletes expired Idempotency-Key records alone; every other row of
 * every tenant stays closed to it. The same policies serve every schema (db/outbox-relay, db/upkeep).
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class UpkeepScopeTest {

    @Inject
    TenantTransactions tx;

    TestTenancy.Tenant a;
    TestTenancy.Tenant b;

    @BeforeEach
    void twoTenants() {
        a = TestTenancy.newTenant(0);
        b = TestTenancy.newTenant(0);
    }

    @Test
    void upkeepReadsEveryTenantsEventsAndNoOtherTenantRow() throws SQLException {
        insertEvent(a.id());
        insertEvent(b.id());
        assertEquals(2L, count("select count(distinct tenant_id) from webhook.outbox where tenant_id in ('" + a.id() + "', '" + b.id() + "')"),
                "the relay sees both tenants' events");
        assertEquals(0L, count("select count(*) from webhook.endpoints"), "no endpoint of any tenant");
        assertEquals(0L, count("select count(*) from webhook.deliveries"), "no delivery of any tenant");
    }

    @Test
    void upkeepMayOnlyMarkAnEventPublishedNeverChangeOrUnpublishIt() throws SQLException {
        UUID published = insertEvent(a.id());
        PgException changed = assertThrows(PgException.class,
                () -> upkeep(c -> c.query("update webhook.outbox set data = '{}'::jsonb where id = '" + published + "'").execute()));
        assertEquals("42501", changed.getSqlState(), "published_at is the one column it may update");
        PgException deleted = assertThrows(PgException.class,
                () -> upkeep(c -> c.query("delete from webhook.outbox where id = '" + published + "'").execute()));
        assertEquals("42501", deleted.getSqlState());
        PgException inserted = assertThrows(PgException.class, () -> upkeep(c -> c.query(
                "insert into webhook.outbox (id, tenant_id, type, data) values (gen_random_uuid(), '" + b.id() + "', 'forged', '{}')").execute()));
        assertEquals("42501", inserted.getSqlState());

        int unpublished = upkeep(c -> c.query("update webhook.outbox set published_at = null where id = '" + published + "'").execute()
                .map(rows -> rows.rowCount()));
        assertEquals(0, unpublished, "a published event is not the upkeep's to touch");
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from webhook.outbox where id = ? and published_at is not null", published));
    }

    @Test
    void thePurgeDeletesExpiredIdempotencyRecordsAloneWhateverItsStatementSays() throws SQLException {
        String expired = insertIdempotencyKey(a.id(), "-1 hour");
        String live = insertIdempotencyKey(b.id(), "1 hour");
        assertEquals(0L, count("select count(*) from webhook.idempotency_keys where expires_at > now()"), "live records are invisible");

        // No WHERE at all: the policy, not the statement, bounds what goes.
        upkeep(c -> c.query("delete from webhook.idempotency_keys").execute());

        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from webhook.idempotency_keys where key = ?", expired));
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from webhook.idempotency_keys where key = ?", live),
                "a record that still answers a retry survives");
    }

    @Test
    void noOtherScopeGetsWhatTheUpkeepPoliciesAllow() throws SQLException {
        insertEvent(a.id());
        long seen = tx.inScope(DbScope.worker(a.id()), c -> c.query("select count(*) from webhook.outbox where tenant_id = '" + a.id() + "'")
                .execute().map(rows -> rows.iterator().next().getLong(0))).await().indefinitely();
        assertEquals(0L, seen, "a worker of A, no member, sees not even A's events");
        String expired = insertIdempotencyKey(a.id(), "-1 hour");
        int purged = tx.inScope(DbScope.worker(a.id()), c -> c.query("delete from webhook.idempotency_keys").execute()
                .map(rows -> rows.rowCount())).await().indefinitely();
        assertEquals(0, purged, "only the upkeep scope purges");
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from webhook.idempotency_keys where key = ?", expired));
    }

    /** An event as Java writes it, already published (so the running relay leaves it alone). */
    private static UUID insertEvent(UUID tenant) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "insert into webhook.outbox (id, tenant_id, type, data, published_at) values (?, ?, 'test.event', '{}', now())")) {
            st.setObject(1, id);
            st.setObject(2, tenant);
            st.executeUpdate();
        }
        return id;
    }

    private static String insertIdempotencyKey(UUID tenant, String expiresIn) throws SQLException {
        String key = UUID.randomUUID().toString();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "insert into webhook.idempotency_keys (tenant_id, principal, key, fingerprint, state, locked_until, expires_at)"
                        + " values (?, gen_random_uuid(), ?, 'f', 'completed', now(), now() + ?::interval)")) {
            st.setObject(1, tenant);
            st.setString(2, key);
            st.setString(3, expiresIn);
            st.executeUpdate();
        }
        return key;
    }

    private long count(String sql) {
        return upkeep(c -> c.query(sql).execute().map(rows -> rows.iterator().next().getLong(0)));
    }

    private <T> T upkeep(Function<SqlConnection, Uni<T>> work) {
        return tx.inScope(DbScope.upkeep(), work).await().indefinitely();
    }
}
