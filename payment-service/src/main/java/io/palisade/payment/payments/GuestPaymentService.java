package io.palisade.payment.payments;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;


import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.stripe.StripeGateway;
import io.palisade.payment.stripe.StripeSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A guest pays a held booking with its payment token. The amount and currency are the booking's as
 * booking-service announced them, never the client's; the PaymentIntent is created on the tenant's connected
 * account with an idempotency key of the booking and attempt, so a retried request gets the same intent. Only
 * what Stripe Elements needs goes back. Nothing here confirms anything: that is the verified webhook's job.
 */
@ApplicationScoped
public class GuestPaymentService {

    private static final String ALREADY_PAID = "this booking is already paid";

    /** For Stripe Elements: the intent's client secret, the platform's publishable key and the connected account. */
    public record Checkout(String clientSecret, String publishableKey, String stripeAccount, long amountMinor, String currency) {
    }

    private final GuestTokens tokens;
    private final TenantTransactions tx;
    private final StripeGateway stripe;
    private final PaymentRepository payments;
    private final String publishableKey;
    private final int feeBasisPoints;

    GuestPaymentService(GuestTokens tokens, TenantTransactions tx, StripeGateway stripe, PaymentRepository payments, StripeSettings stripeSettings,
            PaymentSettings settings) {
        this.tokens = tokens;
        this.tx = tx;
        this.stripe = stripe;
        this.payments = payments;
        this.publishableKey = stripeSettings.publishableKey();
        this.feeBasisPoints = settings.applicationFeeBasisPoints();
    }

    public Uni<Checkout> checkout(String paymentToken) {
        GuestTokens.Claims claims = tokens.verify(GuestTokens.Domain.PAYMENT, paymentToken)
                .orElseThrow(() -> ProblemException.unauthorized("a valid payment link is required (it may have expired)"));
        // The token verified tenant and booking: the rest runs under that tenant's worker scope, as any verified guest link.
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> attempt(c, claims.tenantId(), claims.bookingRef()))
                .chain(payment -> createIntent(claims.tenantId(), payment));
    }

    /**
     * The attempt to pay: an open one again (a retry reuses its PaymentIntent), or a new one for what is still due,
     * the booking's amount less what gift cards paid, in the booking's currency. The booking must be held, its hold
     * running, and the tenant connected.
     */
    private Uni<PaymentRepository.Attempt> attempt(SqlConnection c, UUID tenantId, String reference) {
        return payments.lockBooking(c, reference).chain(found -> {
            PaymentRepository.PayableBooking booking = found.orElseThrow(() -> ProblemException.conflict(
                    "this booking cannot be paid yet; try again in a moment"));
            return payments.latestAttempt(c, booking.bookingId()).chain(latest -> {
                if (latest.isPresent() && PaymentIntentStates.SUCCEEDED.equals(latest.get().status())) {
                    throw ProblemException.conflict(ALREADY_PAID);
                }
                if (!"held".equals(booking.status()) || !booking.holdRunning()) {
                    throw ProblemException.conflict("this booking is no longer held for payment");
                }
                return payments.giftCardPaid(c, booking.bookingId()).chain(giftCards -> {
                    long due = booking.amountMinor() - giftCards;
                    if (due <= 0) {
                        throw ProblemException.conflict(ALREADY_PAID);
                    }
                    if (latest.isPresent()) {
                        return Uni.createFrom().item(latest.get());
                    }
                    return payments.chargeableAccount(c).chain(account -> payments.insertAttempt(c, tenantId, booking.bookingId(),
                            account.orElseThrow(() -> ProblemException.conflict("this operator does not take online payments yet")),
                            due, booking.currency(), due * feeBasisPoints / 10_000));
                });
            });
        });
    }

    private Uni<Checkout> createIntent(UUID tenantId, PaymentRepository.Attempt payment) {
        String idempotencyKey = "palisade-pi-" + payment.bookingId() + "-" + payment.attempt();
        return stripe.createPaymentIntent(payment.stripeAccountId(), payment.amountMinor(), payment.currency(), payment.applicationFeeMinor(),
                Map.of("tenant_id", tenantId.toString(), "booking_id", payment.bookingId().toString(), "payment_id", payment.id().toString()),
                idempotencyKey)
                // Stripe created nothing: the attempt is closed, so the next checkout starts a fresh one.
                .onFailure(StripeGateway.StripeCallException.class).call(e -> tx.inScope(DbScope.worker(tenantId),
                        c -> payments.abandonAttempt(c, payment.id())))
                .onFailure(StripeGateway.StripeCallException.class).transform(e -> ((StripeGateway.StripeCallException) e).refused()
                        ? ProblemException.unprocessable("the payment provider refused this payment: " + e.getMessage())
                        : new ProblemException(new io.palisade.common.web.Problem(502, "Bad Gateway", "the payment provider did not answer; try again")))
                .call(intent -> tx.inScope(DbScope.worker(tenantId), c -> payments.recordIntent(c, payment.id(), intent.id())))
                .map(intent -> new Checkout(intent.clientSecret(), publishableKey, payment.stripeAccountId(), payment.amountMinor(),
                        payment.currency()));
    }
}
