package io.palisade.audit.alerts;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.EventHandler;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Mails each alert from the alerts topic to its tenant's chosen address (platform alerts to
 * palisade.audit.alerts.platform-email). At least once: a redelivered alert may be mailed again.
 */
@ApplicationScoped
public class AlertMailer implements EventHandler {

    @ConfigProperty(name = "palisade.outbox.topic")
    String alertsTopic;

    @ConfigProperty(name = "palisade.audit.alerts.platform-email")
    Optional<String> platformEmail;

    @ConfigProperty(name = "quarkus.application.name")
    String application;

    @Inject
    TenantTransactions tx;

    @Inject
    AlertDestinations destinations;

    @Inject
    MailSender mail;

    @Override
    public List<String> topics() {
        return List.of(alertsTopic);
    }

    /** Its own group: mailing alerts must not wait on, or rebalance with, the ledger's consumers. */
    @Override
    public String group() {
        return application + "-alert-mail";
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        if (!"audit.alert".equals(event.type()) || event.data() == null) {
            return Uni.createFrom().voidItem();
        }
        JsonObject alert = event.data();
        String tenant = alert.getString("tenantId");
        if (!java.util.Objects.equals(tenant, event.tenantId() == null ? null : event.tenantId().toString())) {
            // The envelope and the alert must name the same tenant, or nobody is mailed.
            return Uni.createFrom().voidItem();
        }
        Uni<Optional<String>> destination = tenant == null ? Uni.createFrom().item(platformEmail)
                : tx.inBackground(DbScope.worker(event.tenantId()), destinations::find).map(found -> found.map(AlertDestinations.Destination::email));
        return destination.flatMap(to -> to.map(address -> mail.send(message(address, alert))).orElse(Uni.createFrom().voidItem()));
    }

    static OutgoingMail message(String to, JsonObject alert) {
        String kind = alert.getString("kind");
        StringBuilder text = new StringBuilder("Palisade raised a security alert: ").append(kind).append("\n\n");
        JsonObject trigger = alert.getJsonObject("trigger");
        if (trigger != null) {
            text.append("Latest: ").append(trigger.getString("action")).append(" at ").append(trigger.getString("occurredAt"))
                    .append("\nActor: ").append(trigger.getValue("actor")).append("\nTarget: ").append(trigger.getValue("target"))
                    .append("\nEntries of this kind in the last ").append(alert.getLong("intervalSeconds")).append(" s: ")
                    .append(alert.getLong("occurrencesInInterval")).append('\n');
        }
        long suppressed = alert.getLong("suppressedSinceLastAlert", 0L);
        if (suppressed > 0) {
            text.append("Held back since the previous alert of this kind: ").append(suppressed).append('\n');
        }
        text.append("\nThe audit log (GET /audit/entries?action=").append(trigger == null ? kind : trigger.getString("action"))
                .append(") has every entry.\n");
        String scope = alert.getString("tenantId") == null ? "platform" : "tenant " + alert.getString("tenantId");
        return new OutgoingMail(to, "[Palisade alert] " + kind + " (" + scope + ")", text.toString());
    }
}
