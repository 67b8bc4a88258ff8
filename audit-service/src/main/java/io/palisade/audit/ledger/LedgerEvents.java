package io.palisade.audit.ledger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.palisade.audit.alerts.Alerts;
import io.palisade.audit.chains.Chains;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.BatchEventHandler;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Every service's audit events, from the audit topic into the ledger: appended to the tenant's hash chain (or the
 * platform's), once per event id whatever the redeliveries; a critical one raises an alert in the same transaction. The offset is committed only after the append, so a
 * crash or a broker outage loses nothing.
 */
@ApplicationScoped
public class LedgerEvents implements BatchEventHandler {

    private static final Logger LOG = Logger.getLogger(LedgerEvents.class);

    private final TenantTransactions tx;
    private final Alerts alerts;
    private final LedgerRepository ledger;

    @ConfigProperty(name = "palisade.audit.topic")
    String topic;

    private Timer ingestLag;

    /** Half of the background connections (the rest stay for alerts, the archive and purges). */
    private final int parallelAppends;

    LedgerEvents(TenantTransactions tx, Alerts alerts, LedgerRepository ledger,
            @ConfigProperty(name = "palisade.db.background-connections") int backgroundConnections) {
        this.tx = tx;
        this.alerts = alerts;
        this.ledger = ledger;
        this.parallelAppends = Math.max(1, backgroundConnections / 2);
    }

    @Inject
    void registerMetrics(MeterRegistry registry) {
        ingestLag = Timer.builder("palisade.audit.ingest.lag").description("from the audited change to its ledger entry")
                .publishPercentileHistogram().register(registry);
    }

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        return handleAll(List.of(event));
    }

    /**
     * What one poll brought. Chains are independent (each its own lock, positions and alerts), so the poll's chains are
     * dealt into groups of about as many entries each, appended in parallel, one transaction per group: one transaction
     * for all of them left PostgreSQL and this service waiting on each other in turn, a core idle between them. Within a
     * group, each chain in turn under its own scope, in one order (two instances never wait on each other's locks), its
     * new entries appended in the order they came. All groups end, committed or rolled back, before the poll counts as
     * handled; when one failed, EventConsumers handles the poll's events one at a time, and what the other groups
     * appended is found stored then.
     */
    @Override
    public Uni<Void> handleAll(List<CloudEvent> events) {
        TreeMap<String, List<LedgerRepository.NewEntry>> byChain = new TreeMap<>();
        for (CloudEvent event : events) {
            entryOf(event).ifPresent(entry -> byChain.computeIfAbsent(entry.chain(), chain -> new ArrayList<>()).add(entry));
        }
        if (byChain.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        OffsetDateTime received = OffsetDateTime.now();
        return Uni.join().all(groups(byChain).stream().map(this::appendAll).toList()).andCollectFailures()
                .invoke(() -> byChain.values().forEach(entries -> entries.forEach(entry -> {
                    Duration lag = Duration.between(entry.occurredAt(), received);
                    ingestLag.record(lag.isNegative() ? Duration.ZERO : lag);
                }))).replaceWithVoid();
    }

    /** Chains dealt into at most {@code parallelAppends} groups, each to the group with the fewest entries so far. */
    private List<TreeMap<String, List<LedgerRepository.NewEntry>>> groups(TreeMap<String, List<LedgerRepository.NewEntry>> byChain) {
        List<TreeMap<String, List<LedgerRepository.NewEntry>>> groups = new ArrayList<>();
        int[] sizes = new int[Math.min(parallelAppends, byChain.size())];
        for (int i = 0; i < sizes.length; i++) {
            groups.add(new TreeMap<>());
        }
        byChain.entrySet().stream().sorted(Comparator.comparingInt((Map.Entry<String, List<LedgerRepository.NewEntry>> chain) -> chain.getValue().size())
                .reversed()).forEach(chain -> {
                    int smallest = 0;
                    for (int i = 1; i < sizes.length; i++) {
                        smallest = sizes[i] < sizes[smallest] ? i : smallest;
                    }
                    groups.get(smallest).put(chain.getKey(), chain.getValue());
                    sizes[smallest] += chain.getValue().size();
                });
        return groups;
    }

    /** One group of chains in one transaction, each chain under its own scope. */
    private Uni<Void> appendAll(TreeMap<String, List<LedgerRepository.NewEntry>> chains) {
        return tx.inBackgroundEach(List.copyOf(chains.entrySet()), chain -> Chains.scope(chain.getKey()),
                (c, chain) -> append(c, chain.getKey(), chain.getValue())).replaceWithVoid();
    }

    /**
     * One chain's entries, under that chain's scope (the append reaches it alone), each once whatever the redeliveries.
     * Runs of entries no alert rule watches go in one statement; a watched one goes alone and is considered at once, so
     * its alert counts the entries before it, as one at a time would.
     */
    private Uni<Void> append(SqlConnection c, String chain, List<LedgerRepository.NewEntry> entries) {
        return ledger.lockAndFindStored(c, chain, entries.stream().map(LedgerRepository.NewEntry::eventId).toList())
                .chain(stored -> {
                    Map<UUID, LedgerRepository.NewEntry> fresh = new LinkedHashMap<>();
                    entries.stream().filter(entry -> !stored.contains(entry.eventId())).forEach(entry -> fresh.putIfAbsent(entry.eventId(), entry));
                    List<List<LedgerRepository.NewEntry>> runs = new ArrayList<>();
                    for (LedgerRepository.NewEntry entry : fresh.values()) {
                        boolean watched = alerts.watches(entry.action());
                        if (watched || runs.isEmpty() || alerts.watches(runs.getLast().getLast().action())) {
                            runs.add(new ArrayList<>());
                        }
                        runs.getLast().add(entry);
                    }
                    return Multi.createFrom().iterable(runs).onItem().transformToUniAndConcatenate(run -> ledger.insertAll(c, chain, run)
                                    .chain(() -> alerts.watches(run.getFirst().action())
                                            ? alerts.consider(c, chain, run.getFirst().tenantId(), run.getFirst().eventId(), run.getFirst().action())
                                            : Uni.createFrom().voidItem()))
                            .collect().last();
                })
                .replaceWithVoid();
    }

    /** The entry an audit event makes, or none (logged) for one that breaks the audit event schema. */
    private Optional<LedgerRepository.NewEntry> entryOf(CloudEvent event) {
        UUID id;
        OffsetDateTime occurred;
        try {
            id = UUID.fromString(event.id());
            occurred = event.time() == null ? OffsetDateTime.now() : OffsetDateTime.parse(event.time());
            if (event.data() == null || event.data().getString("action") == null) {
                throw new IllegalArgumentException("no action");
            }
            // The chain is the envelope's tenant (the producing service's outbox row, the Kafka key's tenant): an entry
            // whose payload names another tenant would be written into someone else's chain.
            String named = event.data().getString("tenantId");
            String envelope = event.tenantId() == null ? null : event.tenantId().toString();
            if (!java.util.Objects.equals(named, envelope)) {
                LOG.errorf("audit event %s (%s) names tenant %s but was sent for %s; not in the ledger", event.id(), event.type(), named,
                        envelope == null ? "the platform" : envelope);
                return Optional.empty();
            }
        } catch (RuntimeException e) {
            LOG.errorf("audit event %s (%s) does not follow the audit event schema; not in the ledger", event.id(), event.type());
            return Optional.empty();
        }
        return Optional.of(new LedgerRepository.NewEntry(Chains.of(event.tenantId()), event.tenantId(), id, event.source(), occurred,
                event.data().getString("action"), event.data()));
    }
}
