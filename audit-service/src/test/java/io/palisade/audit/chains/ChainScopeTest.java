package io.palisade.audit.chains;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.audit.AuditServiceStack;
import io.palisade.audit.ledger.LedgerEvents;
import io.palisade.audit.ledger.LedgerRepository;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * Each chain is written under its own scope: the ledger consumer handed tenant A's event appends to A's chain alone,
 * and neither reads nor writes B's entries or the platform's; the platform worker reaches no tenant's chain.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class ChainScopeTest {

    @Inject
    TenantTransactions tx;

    @Inject
    LedgerRepository ledger;

    @Inject
    LedgerEvents ledgerEvents;

    @Test
    void aWorkerOfTenantAAppendsToAsChainAndReachesNoOtherChain() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertTrue(append(DbScope.worker(b), b, UUID.randomUUID()), "B's own event in B's chain");
        assertTrue(append(DbScope.worker(a), a, UUID.randomUUID()));

        PgException intoB = assertThrows(PgException.class, () -> append(DbScope.worker(a), b, UUID.randomUUID()));
        assertEquals("42501", intoB.getSqlState(), "A's worker writes nothing into B's chain");
        PgException intoPlatform = assertThrows(PgException.class, () -> append(DbScope.worker(a), null, UUID.randomUUID()));
        assertEquals("42501", intoPlatform.getSqlState(), "nor into the platform's");

        assertEquals(0L, count(DbScope.worker(a), "select count(*) from audit.ledger where tenant_id = '" + b + "'"), "B's entries are invisible");
        assertEquals(0L, count(DbScope.worker(a), "select count(*) from audit.chain_heads where chain_key = '" + b + "'"), "so is B's head");
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from audit.ledger where tenant_id = ?", b), "B's chain holds B's event alone");
    }

    @Test
    void thePlatformWorkerWritesThePlatformChainAndNoTenants() {
        UUID a = UUID.randomUUID();
        assertTrue(append(DbScope.worker(a), a, UUID.randomUUID()));
        assertTrue(append(DbScope.platformWorker(), null, UUID.randomUUID()), "an event of no tenant in the platform chain");

        PgException intoA = assertThrows(PgException.class, () -> append(DbScope.platformWorker(), a, UUID.randomUUID()));
        assertEquals("42501", intoA.getSqlState());
        assertEquals(0L, count(DbScope.platformWorker(), "select count(*) from audit.ledger where tenant_id is not null"), "no tenant's entry is visible");
        assertTrue(count(DbScope.platformWorker(), "select count(*) from audit.ledger where tenant_id is null") > 0);
    }

    @Test
    void theDatabaseNotTheCallerGivesAnEntryItsPositionLinkAndHash() {
        UUID a = UUID.randomUUID();
        assertTrue(append(DbScope.worker(a), a, UUID.randomUUID()));
        assertTrue(append(DbScope.worker(a), a, UUID.randomUUID()));
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from audit.ledger l join audit.ledger p on p.chain_key = l.chain_key"
                + " and p.chain_seq = 1 and l.prev_hash = p.hash where l.chain_key = ? and l.chain_seq = 2"
                + " and l.hash = audit.entry_hash(l.prev_hash, l.chain_key, l.chain_seq, l.event_id, l.entry)", a.toString()),
                "the second entry follows the first");

        PgException forged = assertThrows(PgException.class, () -> run(DbScope.worker(a), c -> c.query("insert into audit.ledger (event_id,"
                + " tenant_id, chain_key, action, outcome, source, occurred_at, entry, hash) values (gen_random_uuid(), '" + a + "', '" + a
                + "', 'test.forged', 'success', '/test', now(), '{}', 'chosen')").execute()));
        assertEquals("42501", forged.getSqlState(), "an entry's hash is not the caller's to give");
        PgException moved = assertThrows(PgException.class, () -> run(DbScope.worker(a), c -> c.query(
                "update audit.chain_heads set last_seq = 99 where chain_key = '" + a + "'").execute()));
        assertEquals("42501", moved.getSqlState(), "nor is a chain's head");
    }

    @Test
    void entriesAppendedInOneStatementTakeTheirPlacesInTheOrderGiven() {
        UUID a = UUID.randomUUID();
        assertTrue(append(DbScope.worker(a), a, UUID.randomUUID()));
        List<LedgerRepository.NewEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(entry(a, UUID.randomUUID()));
        }
        run(DbScope.worker(a), c -> ledger.lockAndFindStored(c, a.toString(), entries.stream().map(LedgerRepository.NewEntry::eventId).toList())
                .chain(stored -> ledger.insertAll(c, a.toString(), entries)));
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(1L, PalisadeTestStack.get().count("select count(*) from audit.ledger l join audit.ledger p on p.chain_key = l.chain_key"
                    + " and p.chain_seq = l.chain_seq - 1 and l.prev_hash = p.hash where l.event_id = ? and l.chain_seq = ?"
                    + " and l.hash = audit.entry_hash(l.prev_hash, l.chain_key, l.chain_seq, l.event_id, l.entry)", entries.get(i).eventId(), (long) i + 2),
                    "entry " + i + " is the chain's " + (i + 2) + "th and follows the one before");
        }
        assertEquals(java.util.Set.of(entries.get(2).eventId()), run(DbScope.worker(a), c -> ledger.lockAndFindStored(c, a.toString(),
                List.of(entries.get(2).eventId(), UUID.randomUUID()))), "what is stored is found, what is not is not");
    }

    /**
     * A poll of several tenants' events, chains in parallel transactions, each chain under its own scope, one with a watched entry
     * among them, a stored event redelivered and another brought twice: each event lands once, in its own chain, in
     * the order it came.
     */
    @Test
    void aPollOfManyChainsAppendsEachEventOnceToItsOwnChain() {
        List<UUID> tenants = new ArrayList<>(List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()));
        // Chains are taken in the order of their keys: the second one has the watched entry.
        tenants.sort(Comparator.comparing(UUID::toString));
        UUID redelivered = UUID.randomUUID();
        assertTrue(append(DbScope.worker(tenants.get(0)), tenants.get(0), redelivered));
        Map<UUID, List<UUID>> sent = new HashMap<>();
        List<CloudEvent> poll = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (UUID tenant : tenants) {
                String action = tenant.equals(tenants.get(1)) && round == 1 ? "auth.login_failed" : "booking.cancelled";
                UUID id = UUID.randomUUID();
                sent.computeIfAbsent(tenant, t -> new ArrayList<>()).add(id);
                poll.add(event(tenant, id, action));
            }
        }
        poll.add(event(tenants.get(0), redelivered, "booking.cancelled"));
        poll.add(poll.get(2));
        ledgerEvents.handleAll(poll).await().indefinitely();

        assertEquals(Stream.concat(Stream.of(redelivered), sent.get(tenants.get(0)).stream()).toList(),
                eventsOf(tenants.get(0)), "the redelivered event stays where it was");
        for (UUID tenant : tenants.subList(1, tenants.size())) {
            assertEquals(sent.get(tenant), eventsOf(tenant), "each event once, in its own chain, in the order it came");
            assertEquals(0L, PalisadeTestStack.get().count("select count(*) from audit.ledger l join audit.ledger p on p.chain_key = l.chain_key"
                    + " and p.chain_seq = l.chain_seq - 1 where l.chain_key = ? and l.prev_hash <> p.hash", tenant.toString()), "linked entry to entry");
        }
    }

    /**
     * Chains are appended in parallel transactions: one that fails leaves its chains as they were, and when the poll's
     * events come again (one at a time after a failed batch, or redelivered), what the others appended is found stored
     * and each event lands once.
     */
    @Test
    void aFailedGroupOfChainsLeavesItsChainsUntouchedAndTheRedeliveredPollCompletesThem() {
        List<UUID> tenants = new ArrayList<>(List.of(UUID.randomUUID(), UUID.randomUUID()));
        tenants.sort(Comparator.comparing(UUID::toString));
        List<CloudEvent> poll = new ArrayList<>();
        Map<UUID, List<UUID>> sent = new HashMap<>();
        for (UUID tenant : tenants) {
            for (int i = 0; i < 3; i++) {
                UUID id = UUID.randomUUID();
                sent.computeIfAbsent(tenant, t -> new ArrayList<>()).add(id);
                poll.add(event(tenant, id, "booking.cancelled"));
            }
        }
        // An actor id that is not a UUID: its chain's insert fails, and with it that chain's transaction.
        CloudEvent sound = poll.get(4);
        CloudEvent unappendable = new CloudEvent(sound.id(), sound.type(), sound.source(), sound.subject(), sound.tenantId(), sound.time(),
                sound.traceparent(), sound.data().copy().put("actor", new JsonObject().put("userId", "not-a-uuid").put("role", "system")));
        List<CloudEvent> withBroken = new ArrayList<>(poll);
        withBroken.set(4, unappendable);

        assertThrows(RuntimeException.class, () -> ledgerEvents.handleAll(withBroken).await().indefinitely());
        assertEquals(sent.get(tenants.get(0)), eventsOf(tenants.get(0)), "the other chain's transaction committed");
        assertEquals(List.of(), eventsOf(tenants.get(1)), "nothing of the failed transaction's chain");

        ledgerEvents.handleAll(poll).await().indefinitely();
        for (UUID tenant : tenants) {
            assertEquals(sent.get(tenant), eventsOf(tenant), "each event once, in the order it came");
        }
    }

    private static CloudEvent event(UUID tenant, UUID id, String action) {
        JsonObject data = new JsonObject().put("schemaVersion", 1).put("action", action).put("tenantId", tenant.toString())
                .put("actor", new JsonObject().put("role", "system")).put("target", new JsonObject().put("type", "test").put("id", "1"))
                .put("outcome", "success");
        return CloudEvent.parse(new JsonObject().put("specversion", "1.0").put("id", id.toString())
                .put("source", "/booking-service").put("type", action).put("time", OffsetDateTime.now().toString()).put("tenantid", tenant.toString())
                .put("datacontenttype", "application/json").put("data", data).encode());
    }

    /** The chain's events in chain order (read as the superuser). */
    private static List<UUID> eventsOf(UUID tenant) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select event_id from audit.ledger where chain_key = ? order by chain_seq")) {
            st.setString(1, tenant.toString());
            List<UUID> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appends an event naming {@code tenant} to its chain, under {@code scope}, unless it is stored already. */
    private boolean append(DbScope scope, UUID tenant, UUID eventId) {
        LedgerRepository.NewEntry entry = entry(tenant, eventId);
        return run(scope, c -> ledger.lockAndFindStored(c, entry.chain(), List.of(eventId)).chain(stored -> stored.isEmpty()
                ? ledger.insertAll(c, entry.chain(), List.of(entry)).replaceWith(true)
                : Uni.createFrom().item(false)));
    }

    private static LedgerRepository.NewEntry entry(UUID tenant, UUID eventId) {
        JsonObject entry = new JsonObject().put("schemaVersion", 1).put("action", "test.appended").put("tenantId", tenant == null ? null : tenant.toString())
                .put("actor", new JsonObject().put("role", "system")).put("target", new JsonObject().put("type", "test").put("id", "1"))
                .put("outcome", "success");
        return new LedgerRepository.NewEntry(Chains.of(tenant), tenant, eventId, "/test", OffsetDateTime.now(), "test.appended", entry);
    }

    private long count(DbScope scope, String sql) {
        return run(scope, c -> c.query(sql).execute().map(rows -> rows.iterator().next().getLong(0)));
    }

    private <T> T run(DbScope scope, Function<SqlConnection, Uni<T>> work) {
        return tx.inScope(scope, work).await().indefinitely();
    }
}
