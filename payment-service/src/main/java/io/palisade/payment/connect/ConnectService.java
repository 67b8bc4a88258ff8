package io.palisade.payment.connect;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Stripe Connect: each tenant is paid through its own Standard account. Connecting creates the account once
 * (idempotent per tenant) and hands out a Stripe-hosted onboarding link; Stripe's account.updated webhook tells
 * when it can take charges. Only the account id is stored.
 */
@ApplicationScoped
public class ConnectService {

    public record Connection(String stripeAccountId, boolean chargesEnabled, boolean detailsSubmitted) {
    }

    public record Onboarding(String stripeAccountId, String onboardingUrl) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final StripeGateway stripe;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.connect.return-url")
    String returnUrl;

    @ConfigProperty(name = "palisade.connect.refresh-url")
    String refreshUrl;

    ConnectService(CurrentTenant currentTenant, TenantTransactions tx, StripeGateway stripe, AuditLog audit) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.stripe = stripe;
        this.audit = audit;
    }

    public Uni<Optional<Connection>> current() {
        return tx.inTenant(currentTenant.get(), c -> c.preparedQuery(
                "select stripe_account_id, charges_enabled, details_submitted from payment.connected_accounts where tenant_id = $1")
                .execute(Tuple.of(currentTenant.get().tenantId()))
                .map(rows -> first(rows).map(r -> new Connection(r.getString("stripe_account_id"), r.getBoolean("charges_enabled"),
                        r.getBoolean("details_submitted")))));
    }

    /** The tenant's account (created on first use) and a fresh onboarding link for it. */
    public Uni<Onboarding> connect(String clientIp) {
        TenantContext caller = currentTenant.get();
        return current().chain(existing -> existing.isPresent()
                ? Uni.createFrom().item(existing.get().stripeAccountId())
                : stripe.createAccount(caller.tenantId(), "palisade-account-" + caller.tenantId())
                        .chain(account -> tx.inTenant(caller, c -> c.preparedQuery(
                                "insert into payment.connected_accounts (tenant_id, stripe_account_id) values ($1, $2)"
                                        + " on conflict (tenant_id) do nothing")
                                .execute(Tuple.of(caller.tenantId(), account.id()))
                                .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "payment.account_connected",
                                        AuditEvent.Actor.of(caller, clientIp), "stripe_account", account.id(), AuditEvent.SUCCESS, null,
                                        new JsonObject().put("stripeAccountId", account.id()), new JsonObject())))
                                .replaceWith(account.id()))))
                .chain(account -> stripe.onboardingLink(account, returnUrl, refreshUrl).map(url -> new Onboarding(account, url)));
    }

    /**
     * An account's state as read back from Stripe (its account.updated event), under the worker scope of the tenant
     * the event was stored for: only that tenant's account can change.
     */
    public Uni<Void> applyAccountState(UUID tenant, StripeGateway.AccountState account) {
        return tx.inBackground(DbScope.worker(tenant), c -> c.preparedQuery("update payment.connected_accounts set charges_enabled = $2,"
                + " details_submitted = $3, updated_at = now() where stripe_account_id = $1")
                .execute(Tuple.of(account.id(), account.chargesEnabled(), account.detailsSubmitted()))).replaceWithVoid();
    }
}
