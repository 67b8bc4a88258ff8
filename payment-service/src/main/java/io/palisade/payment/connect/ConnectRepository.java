package io.palisade.payment.connect;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scope's tenant's Stripe account (RLS): one row per tenant, the account id and what Stripe last said of it. */
@ApplicationScoped
public class ConnectRepository {

    public record Connection(String stripeAccountId, boolean chargesEnabled, boolean detailsSubmitted) {
    }

    public Uni<Optional<Connection>> find(SqlConnection c) {
        return c.query("select stripe_account_id, charges_enabled, details_submitted from payment.connected_accounts").execute()
                .map(rows -> first(rows).map(r -> new Connection(r.getString("stripe_account_id"), r.getBoolean("charges_enabled"),
                        r.getBoolean("details_submitted"))));
    }

    /** Stores the account once; a second connect at the same time keeps the first. */
    public Uni<Void> insert(SqlConnection c, UUID tenantId, String stripeAccountId) {
        return c.preparedQuery("insert into payment.connected_accounts (tenant_id, stripe_account_id) values ($1, $2)"
                + " on conflict (tenant_id) do nothing").execute(Tuple.of(tenantId, stripeAccountId)).replaceWithVoid();
    }

    public Uni<Void> applyState(SqlConnection c, StripeGateway.AccountState account) {
        return c.preparedQuery("update payment.connected_accounts set charges_enabled = $2,"
                + " details_submitted = $3, updated_at = now() where stripe_account_id = $1")
                .execute(Tuple.of(account.id(), account.chargesEnabled(), account.detailsSubmitted())).replaceWithVoid();
    }
}
