package io.palisade.payment.giftcards;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;


import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
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
import io.palisade.payment.payments.PaymentRepository;
import io.palisade.payment.stripe.StripeGateway;
import io.palisade.payment.stripe.StripeSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Guests buy gift cards: a PaymentIntent on the tenant's connected account for the card's value; when Stripe's
 * webhook (read back from the API) says it succeeded, the card is issued once and its code mailed to the buyer,
 * the only place the code is ever shown. The buyer's email is kept sealed.
 */
@ApplicationScoped
public class GiftCardPurchases {

    private static final String PAID = "paid";
    private static final String ISSUED = "issued";
    private static final String CANCELED = "canceled";
    private static final String BOUGHT_ONLINE = "bought online";
    private static final int VALID_YEARS = 3;

    private final TenantTransactions tx;
    private final StripeGateway stripe;
    private final SecretBox secretBox;
    private final Pseudonyms pseudonyms;
    private final GiftCardCodes codes;
    private final MailSender mail;
    private final GiftCardPurchaseRepository repository;
    private final GiftCardRepository cards;
    private final PaymentRepository payments;
    private final AuditLog audit;
    private final GiftCardSettings settings;
    private final String publishableKey;

    GiftCardPurchases(TenantTransactions tx, StripeGateway stripe, SecretBox secretBox, Pseudonyms pseudonyms, GiftCardCodes codes,
            MailSender mail, GiftCardPurchaseRepository repository, GiftCardRepository cards, PaymentRepository payments, AuditLog audit,
            GiftCardSettings settings, StripeSettings stripeSettings) {
        this.publishableKey = stripeSettings.publishableKey();
        this.tx = tx;
        this.stripe = stripe;
        this.secretBox = secretBox;
        this.pseudonyms = pseudonyms;
        this.codes = codes;
        this.mail = mail;
        this.repository = repository;
        this.cards = cards;
        this.payments = payments;
        this.audit = audit;
        this.settings = settings;
    }

    public Uni<GuestPaymentService.Checkout> purchase(String tenantSlug, long amountMinor, String currency, String buyerEmail, String clientAddress) {
        String client = pseudonyms.of("gift-card-client", clientAddress);
        // The public page names the tenant by its slug; the purchase starts under that tenant's worker scope.
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).call(tenant -> tx.rescope(c, DbScope.worker(tenant)))
                .chain(tenant -> repository.lockClientPurchases(c, tenant, client).chain(started -> {
                    if (started >= settings.maxPurchasesPerHour()) {
                        throw ProblemException.tooManyRequests("too many gift card purchases from this client; try later", 3600);
                    }
                    return payments.chargeableAccount(c);
                }).chain(account -> {
                    String chargeable = account.orElseThrow(() -> ProblemException.conflict("this operator does not take online payments yet"));
                    return repository.insert(c, tenant, amountMinor, currency, secretBox.encrypt(buyerEmail.trim(), emailContext(tenant)), chargeable)
                            .call(() -> cards.recordAttempt(c, tenant, client, "purchase"))
                            .map(purchase -> new Started(tenant, purchase, chargeable));
                })))
                .chain(started -> stripe.createPaymentIntent(started.account(), amountMinor, currency, 0,
                        Map.of("tenant_id", started.tenant().toString(), "purpose", "gift_card", "purchase_id", started.purchase().toString()),
                        "palisade-gift-card-" + started.purchase())
                        .onFailure(StripeGateway.StripeCallException.class)
                        .transform(e -> new ProblemException(new Problem(502, "Bad Gateway", "the payment provider refused or failed; try again")))
                        .call(intent -> tx.inScope(DbScope.worker(started.tenant()), c -> repository.recordIntent(c, started.purchase(), intent.id())))
                        .map(intent -> new GuestPaymentService.Checkout(intent.clientSecret(), publishableKey, started.account(), amountMinor, currency)));
    }

    private record Started(UUID tenant, UUID purchase, String account) {
    }

    /**
     * Applies a purchase's PaymentIntent state as read back from Stripe, under the worker scope of the Stripe event's
     * tenant. 'paid' means the money arrived (exactly the amount) and the card is still to be issued; issued and
     * canceled purchases never move. A paid purchase gets its card, and the buyer the code by mail, in the next
     * transaction (if the mail cannot be sent, nothing is issued, and the purchase worker tries again).
     */
    public Uni<String> apply(UUID tenant, String account, StripeGateway.Intent intent) {
        return tx.inBackground(DbScope.worker(tenant), c -> repository.lockByIntent(c, account, intent.id()).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item("unknown_intent");
            }
            GiftCardPurchaseRepository.Purchase purchase = found.get();
            return switch (purchase.status()) {
                case ISSUED, CANCELED -> Uni.createFrom().item("already_" + purchase.status());
                case PAID -> Uni.createFrom().item(PAID);
                default -> switch (intent.status()) {
                    case "succeeded" -> intent.amountReceived() != purchase.amountMinor() || !purchase.currency().equalsIgnoreCase(intent.currency())
                            ? Uni.createFrom().item("amount_mismatch")
                            : repository.setStatus(c, purchase.id(), PAID).replaceWith(PAID);
                    case "canceled" -> repository.setStatus(c, purchase.id(), CANCELED).replaceWith(CANCELED);
                    default -> Uni.createFrom().item("pending");
                };
            };
        })).chain(outcome -> PAID.equals(outcome) ? issue(tenant, account, intent.id()) : Uni.createFrom().item(outcome));
    }

    /** Issues the card of a paid purchase once, and mails its code to the buyer in the same transaction. */
    private Uni<String> issue(UUID tenant, String account, String intentId) {
        String code = codes.newCode();
        String hint = GiftCardCodes.hint(code);
        return tx.inBackground(DbScope.worker(tenant), c -> repository.lockByIntent(c, account, intentId).chain(found -> {
            if (found.isEmpty() || !PAID.equals(found.get().status())) {
                return Uni.createFrom().item("already_issued");
            }
            GiftCardPurchaseRepository.Purchase purchase = found.get();
            return cards.insert(c, tenant, codes.hash(tenant, code), hint, purchase.currency(), null, BOUGHT_ONLINE,
                            OffsetDateTime.now().plusYears(VALID_YEARS))
                    .call(card -> cards.append(c, tenant, card, "credit", purchase.amountMinor(), null, null, BOUGHT_ONLINE))
                    .call(card -> repository.markIssued(c, purchase.id(), card))
                    .call(card -> audit.record(c, new AuditEvent(tenant, "gift_card.purchased", new AuditEvent.Actor(null, "guest", null, null),
                            "gift_card", card.toString(), AuditEvent.SUCCESS, null,
                            new JsonObject().put("amountMinor", purchase.amountMinor()).put("currency", purchase.currency()).put("codeHint", hint),
                            new JsonObject().put("purchaseId", purchase.id().toString()).put("paymentIntentId", intentId))))
                    .call(card -> mail.send(new OutgoingMail(secretBox.decrypt(purchase.buyerEmailSealed(), emailContext(tenant)),
                            "Your gift card", "Hello,\n\nthank you for your purchase. Your gift card is worth "
                                    + OutgoingMail.money(purchase.amountMinor(), purchase.currency())
                                    + ".\n\nCode: " + code + "\n\nKeep this code safe: it is shown only in this message.\n")))
                    .replaceWith("issued");
        }));
    }

    private static String emailContext(UUID tenant) {
        return "gift-card-purchase:" + tenant;
    }
}
