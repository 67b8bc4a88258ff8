package io.palisade.webhook.endpoints;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.events.EventContracts;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRefused;
import io.palisade.webhook.WebhookSettings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;

/**
 * Registering and changing endpoints: every URL passes the SSRF guard (rules and a fresh lookup) before it is
 * stored; the secret is shown once and stored sealed; every change is audited, with the URL reduced to its origin
 * (paths and queries often carry the receiver's own secret).
 */
@ApplicationScoped
public class EndpointService {

    /** A new endpoint or a rotated secret: the secret is in this answer and nowhere else, ever again. */
    public record WithSecret(EndpointRepository.Endpoint endpoint, String secret) {
    }

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final EndpointRepository endpoints;
    private final EndpointSecrets secrets;
    private final Egress egress;
    private final AuditLog audit;
    private final WebhookSettings settings;

    EndpointService(TenantTransactions tx, CurrentTenant currentTenant, EndpointRepository endpoints, EndpointSecrets secrets,
            Egress egress, AuditLog audit, WebhookSettings settings) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.endpoints = endpoints;
        this.secrets = secrets;
        this.egress = egress;
        this.audit = audit;
        this.settings = settings;
    }

    public Uni<WithSecret> register(EndpointRequests.Register request, String clientIp) {
        TenantContext caller = currentTenant.get();
        List<String> types = eventTypes(request.eventTypes());
        UUID id = UUID.randomUUID();
        String secret = secrets.generate();
        return checked(request.url()).chain(() -> tx.inTenant(caller, c -> endpoints.lockRegistrations(c, caller.tenantId())
                .chain(() -> endpoints.count(c)).chain(count -> {
            if (count >= settings.maxEndpointsPerTenant()) {
                throw ProblemException.unprocessable("a tenant has at most " + settings.maxEndpointsPerTenant() + " webhook endpoints");
            }
            return endpoints.insert(c, id, caller.tenantId(), request.url(), request.description(), types, secrets.seal(id, secret), caller.userId());
        }).call(e -> audit.record(c, event(caller, clientIp, "webhook.endpoint_created", id, null, view(e))))))
                .map(e -> new WithSecret(e, secret));
    }

    public Uni<Page<EndpointRepository.Endpoint>> list(String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> endpoints.list(c, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, e -> e, e -> new Cursor(e.createdAt(), e.id())));
    }

    public Uni<EndpointRepository.Endpoint> get(UUID id) {
        return tx.inTenant(currentTenant.get(), c -> endpoints.find(c, id)).map(found -> found.orElseThrow(EndpointService::notFound));
    }

    public Uni<EndpointRepository.Endpoint> change(UUID id, EndpointRequests.Change change, String clientIp) {
        TenantContext caller = currentTenant.get();
        List<String> types = change.eventTypes() == null ? null : eventTypes(change.eventTypes());
        Uni<Void> urlChecked = change.url() == null ? Uni.createFrom().voidItem() : checked(change.url());
        return urlChecked.chain(() -> tx.inTenant(caller, c -> endpoints.find(c, id).chain(before -> {
            EndpointRepository.Endpoint was = before.orElseThrow(EndpointService::notFound);
            return endpoints.update(c, id, change.url(), change.description(), types, change.enabled())
                    .map(after -> after.orElseThrow(EndpointService::notFound))
                    .call(after -> audit.record(c, event(caller, clientIp, "webhook.endpoint_updated", id, view(was), view(after))));
        })));
    }

    public Uni<Void> delete(UUID id, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> endpoints.find(c, id).chain(before -> {
            EndpointRepository.Endpoint was = before.orElseThrow(EndpointService::notFound);
            return endpoints.delete(c, id).chain(() -> audit.record(c, event(caller, clientIp, "webhook.endpoint_deleted", id, view(was), null)));
        }));
    }

    /** A new secret, shown once; the old one keeps signing for palisade.webhooks.secret-overlap. */
    public Uni<WithSecret> rotateSecret(UUID id, String clientIp) {
        TenantContext caller = currentTenant.get();
        String secret = secrets.generate();
        return tx.inTenant(caller, c -> endpoints.rotate(c, id, secrets.seal(id, secret), settings.secretOverlap())
                .map(found -> found.orElseThrow(EndpointService::notFound))
                .call(e -> audit.record(c, event(caller, clientIp, "webhook.secret_rotated", id, null,
                        new JsonObject().put("previousSecretValidUntil", e.previousSecretValidUntil().toString())))))
                .map(e -> new WithSecret(e, secret));
    }

    /** The guard looks the host up (blocking DNS), so it runs on a worker thread; a refusal is a 422 saying why. */
    private Uni<Void> checked(String url) {
        return Uni.createFrom().<Void>item(() -> {
            try {
                egress.guard().checkAndResolve(url);
                return null;
            } catch (EgressRefused refused) {
                throw ProblemException.unprocessable("webhook URL refused: " + refused.getMessage());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static List<String> eventTypes(List<String> requested) {
        List<String> unknown = requested.stream().filter(t -> !EventContracts.webhookTypes().contains(t)).toList();
        if (!unknown.isEmpty()) {
            throw ProblemException.unprocessable("unknown event types " + unknown + "; subscribable: " + EventContracts.webhookTypes());
        }
        return requested.stream().distinct().sorted().toList();
    }

    /** The endpoint as the audit log shows it: the URL's origin only. */
    private static JsonObject view(EndpointRepository.Endpoint e) {
        return new JsonObject().put("origin", origin(e.url())).put("description", e.description()).put("eventTypes", e.eventTypes())
                .put("enabled", e.enabled());
    }

    static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static AuditEvent event(TenantContext caller, String clientIp, String action, UUID id, JsonObject before, JsonObject after) {
        return new AuditEvent(caller.tenantId(), action, AuditEvent.Actor.of(caller, clientIp), "webhook_endpoint", id.toString(),
                AuditEvent.SUCCESS, before, after, null);
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("the webhook endpoint");
    }
}
