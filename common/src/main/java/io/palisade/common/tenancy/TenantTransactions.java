package io.palisade.common.tenancy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.tracing.TraceContext;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The only way services talk to their database: every unit of work runs in a transaction whose first
 * statement sets the caller's scope with {@code set_config(..., true)}. The settings are transaction-local,
 * so a pooled connection cannot carry them into the next transaction; and without them, row-level security
 * shows no tenant's rows.
 */
@ApplicationScoped
public class TenantTransactions {

    private static final Logger LOG = Logger.getLogger(TenantTransactions.class);

    static final String SET_SCOPE = "select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true),"
            + " set_config('app.principal', $3, true), set_config('app.support_session', $4, true), set_config('app.invitation', $5, true)";
    /** The scope, and the trace the work belongs to (every outbox row written in the transaction keeps it). */
    private static final String SET_SCOPE_AND_TRACE = SET_SCOPE + ", set_config('app.traceparent', $6, true)";

    private final Pool pool;
    private final ConnectionBudget background;

    /** The transaction running on each connection. */
    private final Map<SqlConnection, Open> open = new ConcurrentHashMap<>();

    /**
     * A running transaction: what runs after its commit (an action asked for twice runs once), and its commit once
     * asked for, by {@link #commitWith} or at the end of the work.
     */
    private record Open(Uni<Transaction> begin, Set<Runnable> afterCommit, AtomicReference<Uni<Void>> commitAsked) {

        Uni<Void> commit() {
            return commitAsked.updateAndGet(asked -> asked != null ? asked : begin.chain(Transaction::commit).memoize().indefinitely());
        }
    }

    /**
     * @param backgroundConnections connections background work may hold at once, of the pool's
     *        {@code quarkus.datasource.reactive.max-size}: the rest always serves requests, however far consumers and
     *        jobs are behind (docs/performance.md)
     */
    TenantTransactions(Pool pool, @ConfigProperty(name = "palisade.db.background-connections") int backgroundConnections) {
        this.pool = pool;
        this.background = new ConnectionBudget(backgroundConnections);
    }

    /** Runs work on one connection in one transaction with the scope set. */
    public <T> Uni<T> inScope(DbScope scope, Function<SqlConnection, Uni<T>> work) {
        return transaction(scope, work);
    }

    /**
     * The same for background work (a consumer's event, a scheduled job's claim or item, a purge): it waits for a
     * connection of the background budget. Never nest one in another: the outer one holds a connection of the budget.
     */
    public <T> Uni<T> inBackground(DbScope scope, Function<SqlConnection, Uni<T>> work) {
        return background.run(() -> transaction(scope, work));
    }

    /**
     * Background work for several scopes (a poll's events of several tenants) in one transaction: each item's work in
     * turn, under the item's scope, the transaction starting under the first's and rescoped for each next one that
     * differs. The answers come in the items' order. A new scope and the item's first statement leave together, as
     * BEGIN and the scope do: PostgreSQL runs them in order, and a failed scope fails what follows it.
     */
    public <E, T> Uni<List<T>> inBackgroundEach(List<E> items, Function<E, DbScope> scopeOf, BiFunction<SqlConnection, E, Uni<T>> work) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<DbScope> scopes = items.stream().map(scopeOf).toList();
        return inBackground(scopes.getFirst(), c -> Multi.createFrom().range(0, items.size()).onItem().transformToUniAndConcatenate(i ->
                i == 0 || scopes.get(i - 1).equals(scopes.get(i)) ? work.apply(c, items.get(i))
                        : pipelined(rescope(c, scopes.get(i)), Uni.createFrom().deferred(() -> work.apply(c, items.get(i)))))
                .collect().asList());
    }

    private <T> Uni<T> transaction(DbScope scope, Function<SqlConnection, Uni<T>> work) {
        Tuple scopeValues = scopeAndTrace(scope);
        return pool.withConnection(connection -> {
            // BEGIN, the scope and the work's first statement leave together: the client pipelines what is asked of one
            // connection before the answers come, and PostgreSQL runs them in order. One round trip, not three, and the
            // work still never runs outside the transaction or before its scope (a failed statement fails the rest).
            Uni<Transaction> begin = connection.begin().memoize().indefinitely();
            Uni<Void> scoped = connection.preparedQuery(SET_SCOPE_AND_TRACE).execute(scopeValues).replaceWithVoid();
            Uni<T> done = Uni.createFrom().deferred(() -> work.apply(connection));
            Open transaction = new Open(begin, new CopyOnWriteArraySet<>(), new AtomicReference<>());
            open.put(connection, transaction);
            return Uni.combine().all().unis(begin, scoped, done).collectFailures().with((tx, ignored, result) -> result)
                    .onFailure().transform(TenantTransactions::firstFailure)
                    .onFailure().call(() -> begin.chain(Transaction::rollback).onFailure().recoverWithNull())
                    .call(transaction::commit)
                    .invoke(() -> transaction.afterCommit().forEach(TenantTransactions::runAfterCommit))
                    .onTermination().invoke(() -> open.remove(connection));
        });
    }

    /**
     * One statement that writes nothing, in a read-only transaction of its own, in one round trip: BEGIN, the scope,
     * the statement and COMMIT leave together (for what every request reads first, such as the caller's authority).
     * A failed statement aborts the transaction, whose COMMIT then rolls it back; a write is refused by PostgreSQL.
     */
    public Uni<RowSet<Row>> readOnce(DbScope scope, String sql, Tuple values) {
        Tuple scopeValues = scopeAndTrace(scope);
        return pool.withConnection(connection -> Uni.combine().all().unis(connection.query("begin read only").execute(),
                        connection.preparedQuery(SET_SCOPE_AND_TRACE).execute(scopeValues), connection.preparedQuery(sql).execute(values),
                        connection.query("commit").execute())
                .collectFailures().with((begun, scoped, rows, committed) -> rows)
                .onFailure().transform(TenantTransactions::firstFailure));
    }

    /**
     * The values of SET_SCOPE_AND_TRACE. Taken on the caller's thread, where the request's or the consumer's span is
     * current.
     */
    private static Tuple scopeAndTrace(DbScope scope) {
        return Tuple.from(List.of(text(scope.tenantId()), text(scope.userId()), scope.principal(), text(scope.supportSession()),
                text(scope.invitation()), TraceContext.current()));
    }

    private static void runAfterCommit(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // The transaction committed: its caller learns that, whatever a follow-up did.
            LOG.warnf(e, "an action after a commit failed");
        }
    }

    /**
     * Two statements of one transaction sent together, {@code then} right behind {@code first} before its answer comes
     * (the client pipelines what is asked of one connection): one round trip, and PostgreSQL runs them in order, so
     * {@code then} sees what {@code first} did (a scope set, a lock taken) and fails if it failed. Answers {@code then}'s
     * answer, or the first failure. {@code then} must send its first statement when subscribed, not after an answer.
     */
    public static <F, T> Uni<T> pipelined(Uni<F> first, Uni<T> then) {
        return Uni.combine().all().unis(first, then).collectFailures().with((done, answer) -> answer).onFailure()
                .transform(TenantTransactions::firstFailure);
    }

    /**
     * For statements of one transaction sent together (combined with collectFailures, in the order they were sent):
     * when one failed, those after it failed only because the transaction was aborted, so the first is the one to report.
     */
    public static Throwable firstFailure(Throwable failure) {
        return failure instanceof CompositeException composite ? composite.getCauses().get(0) : failure;
    }

    /**
     * Runs an action once the transaction running on the connection has committed, never when it rolls back (the
     * outbox wakes its relay so). Outside a transaction of this class, nothing runs.
     */
    public void afterCommit(SqlConnection connection, Runnable action) {
        Open transaction = open.get(connection);
        if (transaction != null) {
            transaction.afterCommit().add(action);
        }
    }

    /**
     * The work's last statements with the COMMIT sent right behind them, before their answers come: a row they lock
     * (a hot slot's, by the seat trigger) stays locked for the time PostgreSQL takes to run and commit them, not also
     * for the round trip back to the service and its turn on a busy event loop. If one fails, PostgreSQL answers the
     * COMMIT of the aborted transaction with a rollback, and the failure is the work's as usual. Nothing may run in the
     * transaction after them, and {@code last} must send every statement it holds when subscribed (statements
     * combined, not chained): one sent after an answer would find the transaction over.
     */
    public <T> Uni<T> commitWith(SqlConnection connection, Uni<T> last) {
        Open transaction = open.get(connection);
        if (transaction == null) {
            throw new IllegalStateException("commitWith outside a transaction of TenantTransactions");
        }
        return Uni.combine().all().unis(last, Uni.createFrom().deferred(transaction::commit)).collectFailures()
                .with((result, committed) -> result)
                .onFailure().transform(TenantTransactions::firstFailure);
    }

    /**
     * Changes the scope within the running transaction, for work whose actor becomes known only inside it
     * (a guest found by a sign-in link). Transaction-local like the first one.
     */
    public Uni<Void> rescope(SqlConnection connection, DbScope scope) {
        return connection.preparedQuery(SET_SCOPE)
                .execute(Tuple.from(List.of(text(scope.tenantId()), text(scope.userId()), scope.principal(), text(scope.supportSession()),
                        text(scope.invitation()))))
                .replaceWithVoid();
    }

    public <T> Uni<T> inTenant(TenantContext context, Function<SqlConnection, Uni<T>> work) {
        return inScope(DbScope.of(context), work);
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
