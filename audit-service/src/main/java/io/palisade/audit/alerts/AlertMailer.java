package io.palisade.audit.alerts;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.OperationsContract;
import io.palisade.common.events.OperationsContract.AuditAlert;
import static io.palisade.common.events.OperationsContract.AUDIT_ALERT;
import io.palisade.common.events.EventHandler;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Mails each alert from the alerts topic to its tenant's chosen address (platform alerts to
 * {@link AlertSettings#platformEmail()}). At least once: a redelivered alert may be mailed again.
 */
@ApplicationScoped
public class AlertMailer implements EventHandler {

    @ConfigProperty(name = "palisade.outbox.topic")
    String alertsTopic;

    @ConfigProperty(name = "quarkus.application.name")
    String application;

    private final TenantTransactions tx;
    private final AlertRepository alerts;
    private final MailSender mail;
    private final AlertSettings settings;

    AlertMailer(TenantTransactions tx, AlertRepository alerts, MailSender mail, AlertSettings settings) {
        this.tx = tx;
        this.alerts = alerts;
        this.mail = mail;
        this.settings = settings;
    }

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
        if (!AUDIT_ALERT.type().equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        AuditAlert alert = event.data(AUDIT_ALERT);
        if (!java.util.Objects.equals(alert.tenantId(), event.tenantId())) {
            // The envelope and the alert must name the same tenant, or nobody is mailed.
            return Uni.createFrom().voidItem();
        }
        Uni<Optional<String>> destination = alert.tenantId() == null ? Uni.createFrom().item(settings.platformEmail())
                : tx.inBackground(DbScope.worker(event.tenantId()), alerts::destination).map(found -> found.map(AlertRepository.Destination::email));
        return destination.flatMap(to -> to.map(address -> mail.send(message(address, alert))).orElse(Uni.createFrom().voidItem()));
    }

    static OutgoingMail message(String to, AuditAlert alert) {
        StringBuilder text = new StringBuilder("Palisade raised a security alert: ").append(alert.kind()).append("\n\n");
        OperationsContract.AlertTrigger trigger = alert.trigger();
        if (trigger != null) {
            text.append("Latest: ").append(trigger.action()).append(" at ").append(trigger.occurredAt())
                    .append("\nActor: ").append(new JsonObject(trigger.actor() == null ? java.util.Map.of() : trigger.actor()).encode())
                    .append("\nTarget: ").append(new JsonObject(trigger.target() == null ? java.util.Map.of() : trigger.target()).encode())
                    .append("\nEntries of this kind in the last ").append(alert.intervalSeconds()).append(" s: ")
                    .append(alert.occurrencesInInterval()).append('\n');
        }
        if (alert.suppressedSinceLastAlert() > 0) {
            text.append("Held back since the previous alert of this kind: ").append(alert.suppressedSinceLastAlert()).append('\n');
        }
        text.append("\nThe audit log (GET /audit/entries?action=").append(trigger == null ? alert.kind() : trigger.action())
                .append(") has every entry.\n");
        String scope = alert.tenantId() == null ? "platform" : "tenant " + alert.tenantId();
        return new OutgoingMail(to, "[Palisade alert] " + alert.kind() + " (" + scope + ")", text.toString());
    }
}
