package io.palisade.audit.ledger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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

    LedgerEvents(TenantTransactions tx, Alerts alerts, LedgerRepository ledger) {
        this.tx = tx;
        this.alerts = alerts;
        this.ledger = ledger;
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
     * What one poll brought, in one transaction: each chain in turn under its own scope (chains in one order, so two
     * instances never wait on each other's locks), its new entries appended in the order they came.
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
        String first = byChain.firstKey();
        // The transaction starts under the first chain's scope; each later chain rescopes it.
        return tx.inBackground(Chains.scope(first), c -> Multi.createFrom().iterable(byChain.entrySet())
                        .onItem().transformToUniAndConcatenate(chain -> (chain.getKey().equals(first) ? Uni.createFrom().voidItem()
                                : tx.rescope(c, Chains.scope(chain.getKey()))).chain(() -> append(c, chain.getKey(), chain.getValue())))
                        .collect().last())
                .invoke(() -> byChain.values().forEach(entries -> entries.forEach(entry -> {
                    Duration lag = Duration.between(entry.occurredAt(), received);
                    ingestLag.record(lag.isNegative() ? Duration.ZERO : lag);
                }))).replaceWithVoid();
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
