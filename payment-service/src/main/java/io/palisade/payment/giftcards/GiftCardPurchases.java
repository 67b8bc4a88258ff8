package io.palisade.payment.giftcards;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.payments.GuestPaymentService;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Guests buy gift cards: a PaymentIntent on the tenant's connected account for the card's value; when Stripe's
 * webhook (read back from the API) says it succeeded, the card is issued once and its code mailed to the buyer,
 * the only place the code is ever shown. The buyer's email is kept sealed.
 */
@ApplicationScoped
public class GiftCardPurchases {

    @Inject
    TenantTransactions tx;

    @Inject
    StripeGateway stripe;

    @Inject
    SecretBox secretBox;

    @Inject
    Pseudonyms pseudonyms;

    @Inject
    GiftCardCodes codes;

    @Inject
    MailSender mail;

    @ConfigProperty(name = "palisade.stripe.publishable-key")
    String publishableKey;

    @ConfigProperty(name = "palisade.gift-cards.max-purchases-per-hour", defaultValue = "10")
    int maxPerHour;

    public Uni<GuestPaymentService.Checkout> purchase(String tenantSlug, long amountMinor, String currency, String buyerEmail, String clientAddress) {
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug)
                .chain(tenant -> c.preparedQuery("select * from payment.start_gift_card_purchase($1, $2, $3, $4, $5, $6)")
                        .execute(Tuple.from(java.util.Arrays.asList(tenant, amountMinor, currency,
                                secretBox.encrypt(buyerEmail.trim(), emailContext(tenant)), pseudonyms.of("gift-card-client", clientAddress),
                                maxPerHour)))
                        .map(rows -> rows.iterator().next())
                        .map(row -> switch (row.getString("outcome")) {
                            case "started" -> new Started(tenant, row.getUUID("purchase_id"), row.getString("stripe_account_id"));
                            case "too_many" -> throw ProblemException.tooManyRequests("too many gift card purchases from this client; try later", 3600);
                            default -> throw ProblemException.conflict("this operator does not take online payments yet");
                        })))
                .chain(started -> stripe.createPaymentIntent(started.account(), amountMinor, currency, 0,
                        Map.of("tenant_id", started.tenant().toString(), "purpose", "gift_card", "purchase_id", started.purchase().toString()),
                        "palisade-gift-card-" + started.purchase())
                        .onFailure(StripeGateway.StripeCallException.class)
                        .transform(e -> new ProblemException(new Problem(502, "Bad Gateway", "the payment provider refused or failed; try again")))
                        .call(intent -> tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select payment.record_purchase_intent($1, $2)")
                                .execute(Tuple.of(started.purchase(), intent.id()))))
                        .map(intent -> new GuestPaymentService.Checkout(intent.clientSecret(), publishableKey, started.account(), amountMinor, currency)));
    }

    private record Started(UUID tenant, UUID purchase, String account) {
    }

    /**
     * Applies a purchase's PaymentIntent state; a paid purchase gets its card, and the buyer the code by mail, in
     * the same transaction (if the mail cannot be sent, nothing is issued and the event is tried again).
     */
    public Uni<String> apply(String account, StripeGateway.Intent intent) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.apply_purchase_state($1, $2, $3, $4, $5)")
                .execute(Tuple.of(account, intent.id(), intent.status(), intent.amountReceived(), intent.currency()))
                .map(rows -> rows.iterator().next()))
                .chain(row -> "paid".equals(row.getString("outcome")) ? issue(intent.id(), row.getUUID("tenant_id"))
                        : Uni.createFrom().item(row.getString("outcome")));
    }

    private Uni<String> issue(String intentId, UUID tenant) {
        String code = codes.newCode();
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.issue_purchased_gift_card($1, $2, $3)")
                .execute(Tuple.of(intentId, codes.hash(tenant, code), GiftCardCodes.hint(code)))
                .map(rows -> first(rows).filter(r -> r.getUUID("gift_card_id") != null))
                .chain(issued -> issued.isEmpty() ? Uni.createFrom().item("already_issued")
                        : mail.send(new OutgoingMail(secretBox.decrypt(issued.get().getString("buyer_email_sealed"), emailContext(tenant)),
                                "Your gift card", "Hello,\n\nthank you for your purchase. Your gift card is worth "
                                        + OutgoingMail.money(issued.get().getLong("amount_minor"), issued.get().getString("currency"))
                                        + ".\n\nCode: " + code + "\n\nKeep this code safe: it is shown only in this message.\n"))
                                .replaceWith("issued")));
    }

    private static String emailContext(UUID tenant) {
        return "gift-card-purchase:" + tenant;
    }
}
