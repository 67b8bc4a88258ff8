package io.palisade.payment.connect;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Stripe Connect: each tenant is paid through its own Standard account. Connecting creates the account once
 * (idempotent per tenant) and hands out a Stripe-hosted onboarding link; Stripe's account.updated webhook tells
 * when it can take charges. Only the account id is stored.
 */
@ApplicationScoped
public class ConnectService {

    public record Onboarding(String stripeAccountId, String onboardingUrl) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final ConnectRepository accounts;
    private final StripeGateway stripe;
    private final AuditLog audit;
    private final ConnectSettings settings;

    ConnectService(CurrentTenant currentTenant, TenantTransactions tx, ConnectRepository accounts, StripeGateway stripe, AuditLog audit,
            ConnectSettings settings) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.accounts = accounts;
        this.stripe = stripe;
        this.audit = audit;
        this.settings = settings;
    }

    public Uni<Optional<ConnectRepository.Connection>> current() {
        return tx.inTenant(currentTenant.get(), accounts::find);
    }

    /** The tenant's account (created on first use) and a fresh onboarding link for it. */
    public Uni<Onboarding> connect(String clientIp) {
        TenantContext caller = currentTenant.get();
        return current().chain(existing -> existing.isPresent()
                ? Uni.createFrom().item(existing.get().stripeAccountId())
                : stripe.createAccount(caller.tenantId(), "palisade-account-" + caller.tenantId())
                        .chain(account -> tx.inTenant(caller, c -> accounts.insert(c, caller.tenantId(), account.id())
                                .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "payment.account_connected",
                                        AuditEvent.Actor.of(caller, clientIp), "stripe_account", account.id(), AuditEvent.SUCCESS, null,
                                        new JsonObject().put("stripeAccountId", account.id()), new JsonObject())))
                                .replaceWith(account.id()))))
                .chain(account -> stripe.onboardingLink(account, settings.returnUrl(), settings.refreshUrl()).map(url -> new Onboarding(account, url)));
    }

    /**
     * An account's state as read back from Stripe (its account.updated event), under the worker scope of the tenant
     * the event was stored for: only that tenant's account can change.
     */
    public Uni<Void> applyAccountState(UUID tenant, StripeGateway.AccountState account) {
        return tx.inBackground(DbScope.worker(tenant), c -> accounts.applyState(c, account));
    }
}
