package io.palisade.payment.giftcards;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;


import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.events.PaymentContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.payments.PaymentRepository;
import io.palisade.payment.payments.PaymentSettings;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A guest pays a held booking, wholly or partly, with a gift card code. A card checkout already started for the
 * booking is cancelled at Stripe once the code checks out (the next checkout asks only for what is left). It runs under the
 * worker scope of the payment link's tenant, and refuses and audits anomalies: code guessing from one client and attempts
 * faster than a person types. The ledger's trigger refuses a debit that would take a balance below zero, whoever writes it.
 */
@ApplicationScoped
public class GiftCardRedemption {

    public record Redeemed(long debitedMinor, long remainingMinor, long giftCardBalanceMinor, boolean paid) {
    }

    private static final String GUESSING_BLOCKED = "guessing_blocked";
    private static final String TOO_FAST = "too_fast";
    private static final String NO_SUCH_CARD = "no_such_card";
    private static final String CANCEL_CHECKOUTS_FIRST = "cancel_checkouts_first";

    private final GuestTokens tokens;
    private final TenantTransactions tx;
    private final PaymentRepository payments;
    private final GiftCardCodes codes;
    private final Pseudonyms pseudonyms;
    private final StripeGateway stripe;
    private final GiftCardRepository giftCards;
    private final AuditLog audit;
    private final Outbox outbox;
    private final GiftCardSettings settings;
    private final long minCardMinor;

    GiftCardRedemption(GuestTokens tokens, TenantTransactions tx, PaymentRepository payments, GiftCardCodes codes, Pseudonyms pseudonyms,
            StripeGateway stripe, GiftCardRepository giftCards, AuditLog audit, Outbox outbox, GiftCardSettings settings,
            PaymentSettings paymentSettings) {
        this.minCardMinor = paymentSettings.minCardAmountMinor();
        this.tokens = tokens;
        this.tx = tx;
        this.payments = payments;
        this.codes = codes;
        this.pseudonyms = pseudonyms;
        this.stripe = stripe;
        this.giftCards = giftCards;
        this.audit = audit;
        this.outbox = outbox;
        this.settings = settings;
    }

    public Uni<Redeemed> redeem(String paymentToken, String code, String clientAddress) {
        GuestTokens.Claims claims = tokens.verify(GuestTokens.Domain.PAYMENT, paymentToken)
                .orElseThrow(() -> ProblemException.unauthorized("a valid payment link is required (it may have expired)"));
        UUID tenant = claims.tenantId();
        String codeHash = codes.hash(tenant, code);
        String client = pseudonyms.of("gift-card-client", clientAddress);
        AuditEvent.Actor guest = new AuditEvent.Actor(null, "guest", null, clientAddress);
        // Only once the code, the limits and the booking check out are started card checkouts cancelled at Stripe.
        return attempt(tenant, claims.bookingRef(), codeHash, client, guest, null)
                .chain(outcome -> CANCEL_CHECKOUTS_FIRST.equals(outcome.name())
                        ? cancelOpenCardPayments(tenant, claims.bookingRef())
                                .chain(cancelled -> attempt(tenant, claims.bookingRef(), codeHash, client, guest, cancelled))
                        : Uni.createFrom().item(outcome))
                .map(this::answer)
                .onFailure(GiftCardRedemption::overdrawn).transform(e -> ProblemException.conflict("the gift card's balance changed; try again"));
    }

    private static boolean overdrawn(Throwable e) {
        return e instanceof io.vertx.pgclient.PgException pg && "gift_card_balance_never_negative".equals(pg.getConstraint());
    }

    /** What one attempt came to: a refusal's name, or "redeemed" with the amounts. */
    private record Outcome(String name, long debitedMinor, long remainingMinor, long balanceMinor) {

        static Outcome of(String name) {
            return new Outcome(name, 0, 0, 0);
        }
    }

    /**
     * One attempt, under the worker scope of the payment link's tenant: the client's limits, then the booking (locked), the
     * card (locked), what is due and where the booking's card payments stand. cancelledIntents is null on the first call,
     * the checkouts Stripe cancelled on the second.
     */
    private Uni<Outcome> attempt(UUID tenant, String reference, String codeHash, String client, AuditEvent.Actor guest,
            List<String> cancelledIntents) {
        boolean secondCall = cancelledIntents != null;
        return tx.inScope(DbScope.worker(tenant), c -> giftCards.lockClientAttempts(c, tenant, client, settings.failureWindow(), settings.minInterval()).chain(recent -> {
            String limited = recent.wrongCodes() >= settings.maxFailures() ? GUESSING_BLOCKED : !secondCall && recent.lastTooRecent() ? TOO_FAST : null;
            if (limited != null) {
                // An anomaly is audited once per window and client, however often the client keeps trying.
                Uni<Void> audited = recent.outcomes().contains(limited) ? Uni.createFrom().voidItem()
                        : audit.record(c, new AuditEvent(tenant, TOO_FAST.equals(limited) ? "gift_card.redemption_too_fast" : "gift_card.guessing_blocked",
                                guest, "client", client.substring(0, 16), AuditEvent.SUCCESS, null, null, new JsonObject()
                                        .put("failedAttempts", recent.wrongCodes()).put("windowSeconds", settings.failureWindow().toSeconds())));
                return audited.chain(() -> giftCards.recordAttempt(c, tenant, client, limited)).replaceWith(Outcome.of(limited));
            }
            return payments.lockBooking(c, reference).chain(booking -> {
                if (booking.isEmpty() || !"held".equals(booking.get().status()) || !booking.get().holdRunning()) {
                    return Uni.createFrom().item(Outcome.of("not_payable"));
                }
                return giftCards.lockRedeemable(c, codeHash).chain(card -> {
                    if (card.isEmpty()) {
                        return giftCards.recordAttempt(c, tenant, client, NO_SUCH_CARD).replaceWith(Outcome.of(NO_SUCH_CARD));
                    }
                    Uni<Void> counted = secondCall ? Uni.createFrom().voidItem() : giftCards.recordAttempt(c, tenant, client, "card_found");
                    return counted.chain(() -> debit(c, tenant, booking.get(), card.get(), guest, cancelledIntents));
                });
            });
        }));
    }

    private Uni<Outcome> debit(SqlConnection c, UUID tenant, PaymentRepository.PayableBooking booking, GiftCardRepository.Redeemable card,
            AuditEvent.Actor guest, List<String> cancelledIntents) {
        if (!card.currency().equals(booking.currency())) {
            return Uni.createFrom().item(Outcome.of("wrong_currency"));
        }
        return payments.giftCardPaid(c, booking.bookingId()).chain(paidByCards -> {
            long due = booking.amountMinor() - paidByCards;
            long debited = Math.min(card.balanceMinor(), due);
            if (debited <= 0) {
                return Uni.createFrom().item(Outcome.of(due <= 0 ? "already_paid" : "empty_card"));
            }
            long rest = due - debited;
            if (rest > 0 && rest < minCardMinor) {
                return Uni.createFrom().item(Outcome.of("rest_below_card_minimum"));
            }
            Uni<Void> cancelled = cancelledIntents == null ? Uni.createFrom().voidItem()
                    : payments.cancelCheckouts(c, booking.bookingId(), cancelledIntents);
            return cancelled.chain(() -> payments.cardPayments(c, booking.bookingId())).chain(cardPayments -> {
                if (cardPayments.underWay()) {
                    return Uni.createFrom().item(Outcome.of("card_payment_open"));
                }
                if (cardPayments.awaitingGuest()) {
                    return Uni.createFrom().item(Outcome.of(CANCEL_CHECKOUTS_FIRST));
                }
                long balance = card.balanceMinor() - debited;
                return payments.closeStalledCheckouts(c, booking.bookingId())
                        // The card is locked, so the balance read stands; the ledger's guard refuses an overdraw whoever writes.
                        .chain(() -> giftCards.append(c, tenant, card.id(), "debit", debited, booking.bookingId(), null, "redeemed"))
                        .chain(() -> audit.record(c, new AuditEvent(tenant, "gift_card.redeemed", guest, "gift_card", card.id().toString(),
                                AuditEvent.SUCCESS, new JsonObject().put("balanceMinor", card.balanceMinor()), new JsonObject().put("balanceMinor", balance),
                                new JsonObject().put("bookingId", booking.bookingId().toString()).put("amountMinor", debited))))
                        .chain(() -> rest > 0 ? Uni.createFrom().voidItem()
                                : outbox.append(c, tenant, PaymentContract.SUCCEEDED, booking.bookingId().toString(),
                                        PaymentContract.PaymentSucceeded.of(booking.bookingId(), null, null, null, 0, booking.amountMinor(),
                                                booking.currency())))
                        .replaceWith(new Outcome("redeemed", debited, rest, balance));
            });
        });
    }

    private Redeemed answer(Outcome outcome) {
        return switch (outcome.name()) {
            case "redeemed" -> new Redeemed(outcome.debitedMinor(), outcome.remainingMinor(), outcome.balanceMinor(), outcome.remainingMinor() == 0);
            case GUESSING_BLOCKED -> throw ProblemException.tooManyRequests("too many wrong gift card codes from this client; try again later",
                    settings.failureWindow().toSeconds());
            case TOO_FAST -> throw ProblemException.tooManyRequests("gift card codes are tried too quickly; wait a moment",
                    Math.max(1, settings.minInterval().toSeconds()));
            case NO_SUCH_CARD -> throw ProblemException.notFound("a gift card with this code");
            case "wrong_currency" -> throw ProblemException.unprocessable("this gift card is in another currency than the booking");
            case "empty_card" -> throw ProblemException.unprocessable("this gift card has no balance left");
            case "already_paid" -> throw ProblemException.conflict("this booking is already paid");
            case "card_payment_open", CANCEL_CHECKOUTS_FIRST -> throw ProblemException.conflict(
                    "a card payment for this booking is under way; wait for it to finish");
            case "rest_below_card_minimum" -> throw ProblemException.unprocessable(
                    "after this gift card less than the smallest card payment would be left to pay; use another gift card or pay by card");
            default -> throw ProblemException.conflict("this booking is no longer held for payment");
        };
    }

    /** Cancels at Stripe the checkouts of this booking that have not been paid; returns the intents cancelled. */
    private Uni<List<String>> cancelOpenCardPayments(UUID tenant, String reference) {
        // The payment token verified tenant and reference: under that tenant's worker scope, as any verified guest link.
        return tx.inScope(DbScope.worker(tenant), c -> payments.openIntentsOfReference(c, reference))
                .onItem().transformToMulti(open -> Multi.createFrom().iterable(open))
                .onItem().transformToUniAndConcatenate(open -> stripe.cancelPaymentIntent(open.account(), open.intentId())
                        .map(StripeGateway.Intent::id)
                        // Cancelled by an earlier try, or paid or being paid: Stripe's state decides, and the helper
                        // refuses the redemption while a card payment is under way.
                        .onFailure(StripeGateway.StripeCallException.class).recoverWithUni(() -> stripe.paymentIntent(open.account(), open.intentId())
                                .map(intent -> "canceled".equals(intent.status()) ? intent.id() : null)))
                .filter(java.util.Objects::nonNull)
                .collect().asList();
    }

    /** Attempts older than a day count for nothing. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeOldAttempts() {
        // Under the upkeep scope, whose policies admit attempts older than a day alone (V9).
        return tx.inBackground(DbScope.upkeep(), giftCards::forgetAttemptsOlderThanADay);
    }
}
