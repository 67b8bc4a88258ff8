package io.palisade.webhook.plumbing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * TenantTransactions sends BEGIN, the scope and the work's first statement (and, for a single read or with
 * commitWith, the COMMIT after the last) without waiting for each answer, as {@code pipelined} does for any two
 * statements. Pipelined or not, the work runs inside the transaction, after its scope, and a failure anywhere leaves
 * nothing behind and a clean connection.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class TenantTransactionsTest {

    private static final String INSERT_ENDPOINT = "insert into webhook.endpoints (id, tenant_id, url, event_types, secret_sealed, created_by)"
            + " values ($1, $2, 'https://example.com/hook', '{booking.created}', 'sealed', $3)";

    @Inject
    TenantTransactions tx;

    TestTenancy.Tenant a;
    DbScope owner;

    @BeforeEach
    void aTenant() {
        a = TestTenancy.newTenant(0);
        owner = new DbScope(a.id(), a.ownerId(), TenantContext.STAFF, null);
    }

    @Test
    void theWorksFirstStatementAlreadySeesTheScope() {
        String tenant = tx.inScope(owner, c -> c.query("select current_setting('app.tenant_id') as t")
                .execute()).await().indefinitely().iterator().next().getString("t");
        assertEquals(a.id().toString(), tenant);
    }

    @Test
    void aFailedStatementUndoesTheWholeTransactionAndIsTheErrorReported() throws SQLException {
        UUID endpoint = UUID.randomUUID();
        PgException failure = assertThrows(PgException.class, () -> tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT)
                .execute(Tuple.of(endpoint, a.id(), a.ownerId()))
                .chain(() -> c.query("select 1 / 0").execute())).await().indefinitely());
        assertEquals("22012", failure.getSqlState(), "division by zero, not a wrapper or the aborted transaction's later error");
        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id = ?", endpoint));
        for (int i = 0; i < 20; i++) {
            UUID next = UUID.randomUUID();
            tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(next, a.id(), a.ownerId()))).await().indefinitely();
            assertEquals(1L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id = ?", next));
        }
        assertNoTransactionLeftOpen();
    }

    @Test
    void twoStatementsSentTogetherRunInOrderAndAnswerTheSecond() {
        String seen = tx.inScope(owner, c -> TenantTransactions.pipelined(c.query("select set_config('app.probe', 'set by the first', true)").execute(),
                c.query("select current_setting('app.probe') as probe").execute())).await().indefinitely().iterator().next().getString("probe");
        assertEquals("set by the first", seen);
    }

    @Test
    void twoStatementsSentTogetherReportTheFirstFailure() throws SQLException {
        // Taken inside the work: the transaction reports its work's first failure whatever the work gives it.
        AtomicReference<Throwable> reported = new AtomicReference<>();
        assertThrows(PgException.class, () -> tx.inScope(owner, c -> TenantTransactions.pipelined(c.query("select 1 / 0").execute(),
                c.query("select 1").execute()).onFailure().invoke(reported::set)).await().indefinitely());
        PgException failure = assertInstanceOf(PgException.class, reported.get());
        assertEquals("22012", failure.getSqlState(), "division by zero, not the aborted transaction's refusal of the second");
        assertNoTransactionLeftOpen();
    }

    /** A connection given back to the pool inside a transaction would stay "idle in transaction" until reused. */
    private static void assertNoTransactionLeftOpen() throws SQLException {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from pg_stat_activity where usename = ?"
                + " and state like 'idle in transaction%' and state_change < now() - interval '1 second'", "webhook_service"));
    }

    @Test
    void statementsSentWithTheCommitAreCommittedWithEverythingBeforeThemAndTheActionsAfterIt() throws SQLException {
        UUID first = UUID.randomUUID();
        UUID last = UUID.randomUUID();
        AtomicBoolean after = new AtomicBoolean();
        tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(first, a.id(), a.ownerId()))
                .chain(() -> {
                    tx.afterCommit(c, () -> after.set(true));
                    return tx.commitWith(c, c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(last, a.id(), a.ownerId())));
                })).await().indefinitely();
        assertEquals(2L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id in (?, ?)", first, last));
        assertTrue(after.get());
        assertNoTransactionLeftOpen();
    }

    @Test
    void aFailedStatementSentWithTheCommitUndoesTheWholeTransactionAndIsTheErrorReported() throws SQLException {
        UUID first = UUID.randomUUID();
        UUID last = UUID.randomUUID();
        AtomicBoolean after = new AtomicBoolean();
        PgException failure = assertThrows(PgException.class, () -> tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT)
                .execute(Tuple.of(first, a.id(), a.ownerId()))
                .chain(() -> {
                    tx.afterCommit(c, () -> after.set(true));
                    return tx.commitWith(c, Uni.combine().all()
                            .unis(c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(last, a.id(), a.ownerId())), c.query("select 1 / 0").execute())
                            .collectFailures().discardItems().onFailure().transform(TenantTransactions::firstFailure));
                })).await().indefinitely());
        assertEquals("22012", failure.getSqlState(), "division by zero, not the rolled-back commit");
        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id in (?, ?)", first, last));
        assertFalse(after.get(), "nothing runs after a commit that did not happen");
        for (int i = 0; i < 20; i++) {
            UUID next = UUID.randomUUID();
            tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(next, a.id(), a.ownerId()))).await().indefinitely();
            assertEquals(1L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id = ?", next));
        }
        assertNoTransactionLeftOpen();
    }

    @Test
    void aReadSeesItsScopeAndNothingElse() {
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        tx.inScope(owner, c -> c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(mine, a.id(), a.ownerId()))).await().indefinitely();
        tx.inScope(new DbScope(b.id(), b.ownerId(), TenantContext.STAFF, null),
                c -> c.preparedQuery(INSERT_ENDPOINT).execute(Tuple.of(theirs, b.id(), b.ownerId()))).await().indefinitely();
        var rows = tx.readOnce(owner, "select id from webhook.endpoints where id = any($1)", Tuple.of(new UUID[] { mine, theirs }))
                .await().indefinitely();
        assertEquals(1, rows.size());
        assertEquals(mine, rows.iterator().next().getUUID("id"));
    }

    @Test
    void aReadCannotWriteAndLeavesACleanConnection() throws SQLException {
        UUID endpoint = UUID.randomUUID();
        PgException refused = assertThrows(PgException.class,
                () -> tx.readOnce(owner, INSERT_ENDPOINT + " returning id", Tuple.of(endpoint, a.id(), a.ownerId())).await().indefinitely());
        assertEquals("25006", refused.getSqlState(), "read-only transaction");
        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from webhook.endpoints where id = ?", endpoint));
        PgException failed = assertThrows(PgException.class, () -> tx.readOnce(owner, "select 1 / 0", Tuple.tuple()).await().indefinitely());
        assertEquals("22012", failed.getSqlState());
        for (int i = 0; i < 20; i++) {
            assertEquals(a.id().toString(), tx.readOnce(owner, "select current_setting('app.tenant_id') as t", Tuple.tuple()).await().indefinitely()
                    .iterator().next().getString("t"));
            assertEquals("", tx.inScope(DbScope.anonymous(), c -> c.query("select current_setting('app.tenant_id', true) as t").execute())
                    .await().indefinitely().iterator().next().getString("t"), "no scope outlives its transaction");
        }
        assertNoTransactionLeftOpen();
    }
}
