package io.palisade.audit.ledger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
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
import io.palisade.common.events.EventHandler;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;

/**
 * Every service's audit events, from the audit topic into the ledger: appended to the tenant's hash chain (or the
 * platform's), once per event id whatever the redeliveries; a critical one raises an alert in the same transaction. The offset is committed only after the append, so a
 * crash or a broker outage loses nothing.
 */
@ApplicationScoped
public class LedgerEvents implements EventHandler {

    private static final Logger LOG = Logger.getLogger(LedgerEvents.class);

    @Inject
    TenantTransactions tx;

    @Inject
    Alerts alerts;

    @Inject
    LedgerRepository ledger;

    @ConfigProperty(name = "palisade.audit.topic")
    String topic;

    private Timer ingestLag;

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
                return Uni.createFrom().voidItem();
            }
        } catch (RuntimeException e) {
            LOG.errorf("audit event %s (%s) does not follow the audit event schema; not in the ledger", event.id(), event.type());
            return Uni.createFrom().voidItem();
        }
        String action = event.data().getString("action");
        Duration lag = Duration.between(occurred, OffsetDateTime.now());
        // Under the scope of the envelope's chain: the append reaches that chain alone.
        String chain = Chains.of(event.tenantId());
        return tx.inBackground(Chains.scope(chain), c -> ledger.append(c, chain, event.tenantId(), id, event.source(), occurred, event.data())
                .chain(fresh -> fresh ? alerts.consider(c, chain, event.tenantId(), id, action) : Uni.createFrom().voidItem()))
                .invoke(() -> ingestLag.record(lag.isNegative() ? Duration.ZERO : lag));
    }
}
