package io.palisade.payment.giftcards;

import static io.palisade.common.db.Rows.first;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Gift card purchases, as the Stripe event worker moves them under the worker scope of their tenant. */
@ApplicationScoped
public class GiftCardPurchaseRepository {

    public record Purchase(UUID id, long amountMinor, String currency, String buyerEmailSealed, String status) {
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
}
