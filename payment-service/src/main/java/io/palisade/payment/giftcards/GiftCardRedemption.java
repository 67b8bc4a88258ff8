package io.palisade.payment.giftcards;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.payments.PaymentRepository;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A guest pays a held booking, wholly or partly, with a gift card code. A card checkout already started for the
 * booking is cancelled at Stripe once the code checks out (the next checkout asks only for what is left). The database helper
 * refuses and audits anomalies: code guessing from one client, attempts faster than a person types, and a
 * debit that would take a balance below zero.
 */
@ApplicationScoped
public class GiftCardRedemption {

    public record Redeemed(long debitedMinor, long remainingMinor, long giftCardBalanceMinor, boolean paid) {
    }


    @Inject
    GuestTokens tokens;

    @Inject
    TenantTransactions tx;

    @Inject
    PaymentRepository payments;

    @Inject
    GiftCardCodes codes;

    @Inject
    Pseudonyms pseudonyms;

    @Inject
    StripeGateway stripe;

    @ConfigProperty(name = "palisade.gift-cards.max-failures", defaultValue = "5")
    int maxFailures;

    @ConfigProperty(name = "palisade.gift-cards.failure-window", defaultValue = "PT15M")
    Duration failureWindow;

    @ConfigProperty(name = "palisade.gift-cards.min-interval", defaultValue = "PT2S")
    Duration minInterval;

    @ConfigProperty(name = "palisade.payments.min-card-amount-minor", defaultValue = "50")
    long minCardMinor;

    public Uni<Redeemed> redeem(String paymentToken, String code, String clientAddress) {
        GuestTokens.Claims claims = tokens.verify(GuestTokens.Domain.PAYMENT, paymentToken)
                .orElseThrow(() -> ProblemException.unauthorized("a valid payment link is required (it may have expired)"));
        UUID tenant = claims.tenantId();
        String codeHash = codes.hash(tenant, code);
        String client = pseudonyms.of("gift-card-client", clientAddress);
        // Only once the code, the limits and the booking check out are started card checkouts cancelled at Stripe.
        return attempt(tenant, claims.bookingRef(), codeHash, client, null)
                .chain(row -> "cancel_checkouts_first".equals(row.getString("outcome"))
                        ? cancelOpenCardPayments(tenant, claims.bookingRef())
                                .chain(cancelled -> attempt(tenant, claims.bookingRef(), codeHash, client, cancelled))
                        : Uni.createFrom().item(row))
                .map(this::answer);
    }

    private Uni<Row> attempt(UUID tenant, String reference, String codeHash, String client, List<String> cancelledIntents) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.redeem_gift_card($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .execute(Tuple.from(java.util.Arrays.asList(tenant, reference, codeHash, client,
                        cancelledIntents == null ? null : cancelledIntents.toArray(String[]::new), maxFailures, (int) failureWindow.toSeconds(),
                        (int) minInterval.toMillis(), minCardMinor)))
                .map(rows -> rows.iterator().next()));
    }

    private Redeemed answer(Row row) {
        return switch (row.getString("outcome")) {
            case "redeemed" -> new Redeemed(row.getLong("debited_minor"), row.getLong("remaining_minor"), row.getLong("balance_minor"),
                    row.getLong("remaining_minor") == 0);
            case "guessing_blocked" -> throw ProblemException.tooManyRequests("too many wrong gift card codes from this client; try again later",
                    failureWindow.toSeconds());
            case "too_fast" -> throw ProblemException.tooManyRequests("gift card codes are tried too quickly; wait a moment",
                    Math.max(1, minInterval.toSeconds()));
            case "no_such_card" -> throw ProblemException.notFound("a gift card with this code");
            case "wrong_currency" -> throw ProblemException.unprocessable("this gift card is in another currency than the booking");
            case "empty_card" -> throw ProblemException.unprocessable("this gift card has no balance left");
            case "already_paid" -> throw ProblemException.conflict("this booking is already paid");
            case "card_payment_open", "cancel_checkouts_first" -> throw ProblemException.conflict(
                    "a card payment for this booking is under way; wait for it to finish");
            case "rest_below_card_minimum" -> throw ProblemException.unprocessable(
                    "after this gift card less than the smallest card payment would be left to pay; use another gift card or pay by card");
            case "overdraw_blocked" -> throw ProblemException.conflict("the gift card's balance changed; try again");
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
        return tx.inBackground(DbScope.upkeep(), c -> c.query("delete from payment.gift_card_attempts where made_at < now() - interval '1 day'")
                .execute()).replaceWithVoid();
    }
}
