package io.palisade.payment.giftcards;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Gift card purchases under the worker scope of their tenant: started from the public page, moved by the Stripe event worker. */
@ApplicationScoped
public class GiftCardPurchaseRepository {

    public record Purchase(UUID id, long amountMinor, String currency, String buyerEmailSealed, String status) {
    }

    /** A purchase of some tenant paid for but not issued. */
    public record PaidUnissued(UUID tenantId, UUID purchaseId) {
    }

    /** The PaymentIntent of a purchase paid for but not issued, to read back from its connected account. */
    public record Unissued(String account, String intentId) {
    }

    /**
     * Purchases of every tenant paid for more than {@code olderThanSeconds} ago and not issued, at most {@code limit}
     * (the allow-listed definer {@code payment.unissued_purchases}): which, and whose.
     */
    public Uni<List<PaidUnissued>> paidUnissued(SqlConnection c, int olderThanSeconds, int limit) {
        return c.preparedQuery("select tenant_id, purchase_id from payment.unissued_purchases($1, $2)").execute(Tuple.of(olderThanSeconds, limit))
                .map(rows -> all(rows, r -> new PaidUnissued(r.getUUID("tenant_id"), r.getUUID("purchase_id"))));
    }

    /** The scope's tenant's purchase, while it is still paid and not issued. */
    public Uni<Optional<Unissued>> unissued(SqlConnection c, UUID purchaseId) {
        return c.preparedQuery("select stripe_account_id, payment_intent_id from payment.gift_card_purchases where id = $1 and status = 'paid'")
                .execute(Tuple.of(purchaseId))
                .map(rows -> first(rows).map(r -> new Unissued(r.getString("stripe_account_id"), r.getString("payment_intent_id"))));
    }

    /** The purchase of a PaymentIntent on a connected account, locked until the transaction ends. */
    public Uni<Optional<Purchase>> lockByIntent(SqlConnection c, String account, String intentId) {
        return c.preparedQuery("select id, amount_minor, currency, buyer_email_sealed, status from payment.gift_card_purchases"
                + " where payment_intent_id = $1 and stripe_account_id = $2 for update").execute(Tuple.of(intentId, account))
                .map(rows -> first(rows).map(r -> new Purchase(r.getUUID("id"), r.getLong("amount_minor"), r.getString("currency"),
                        r.getString("buyer_email_sealed"), r.getString("status"))));
    }

    public Uni<Void> setStatus(SqlConnection c, UUID id, String status) {
        return c.preparedQuery("update payment.gift_card_purchases set status = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, status)).replaceWithVoid();
    }

    public Uni<Void> markIssued(SqlConnection c, UUID id, UUID giftCardId) {
        return c.preparedQuery("update payment.gift_card_purchases set status = 'issued', gift_card_id = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, giftCardId)).replaceWithVoid();
    }

    /** The PaymentIntent Stripe created for a purchase still being created. */
    public Uni<Void> recordIntent(SqlConnection c, UUID id, String intentId) {
        return c.preparedQuery("update payment.gift_card_purchases set payment_intent_id = $2, status = 'requires_payment', updated_at = now()"
                + " where id = $1 and status = 'creating'").execute(Tuple.of(id, intentId)).replaceWithVoid();
    }

    /** How many purchases one client started in the last hour, read under the client's lock: concurrent starts count one after another. */
    public Uni<Integer> lockClientPurchases(SqlConnection c, UUID tenantId, String clientKey) {
        return c.preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))").execute(Tuple.of("gift-card-purchase:" + tenantId + ":" + clientKey))
                .chain(() -> c.preparedQuery("select count(*)::int as started from payment.gift_card_attempts"
                        + " where client_key = $1 and outcome = 'purchase' and made_at > now() - interval '1 hour'").execute(Tuple.of(clientKey)))
                .map(rows -> rows.iterator().next().getInteger("started"));
    }

    public Uni<UUID> insert(SqlConnection c, UUID tenantId, long amountMinor, String currency, String buyerEmailSealed, String account) {
        UUID id = UUID.randomUUID();
        return c.preparedQuery("insert into payment.gift_card_purchases (id, tenant_id, amount_minor, currency, buyer_email_sealed, stripe_account_id)"
                + " values ($1, $2, $3, $4, $5, $6)").execute(Tuple.of(id, tenantId, amountMinor, currency, buyerEmailSealed, account))
                .replaceWith(id);
    }
}
