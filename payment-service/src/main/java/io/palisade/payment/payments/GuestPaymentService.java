package io.palisade.payment.payments;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A guest pays a held booking with its payment token. The amount and currency are the booking's as
 * booking-service announced them, never the client's; the PaymentIntent is created on the tenant's connected
 * account with an idempotency key of the booking and attempt, so a retried request gets the same intent. Only
 * what Stripe Elements needs goes back. Nothing here confirms anything: that is the verified webhook's job.
 */
@ApplicationScoped
public class GuestPaymentService {

    /** For Stripe Elements: the intent's client secret, the platform's publishable key and the connected account. */
    public record Checkout(String clientSecret, String publishableKey, String stripeAccount, long amountMinor, String currency) {
    }

    @Inject
    GuestTokens tokens;

    @Inject
    TenantTransactions tx;

    @Inject
    StripeGateway stripe;

    @ConfigProperty(name = "palisade.stripe.publishable-key")
    String publishableKey;

    @ConfigProperty(name = "palisade.payments.application-fee-basis-points")
    int feeBasisPoints;

    public Uni<Checkout> checkout(String paymentToken) {
        GuestTokens.Claims claims = tokens.verify(GuestTokens.Domain.PAYMENT, paymentToken)
                .orElseThrow(() -> ProblemException.unauthorized("a valid payment link is required (it may have expired)"));
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.start_payment($1, $2, $3)")
                .execute(Tuple.of(claims.tenantId(), claims.bookingRef(), feeBasisPoints)).map(rows -> rows.iterator().next()))
                .chain(row -> switch (row.getString("outcome")) {
                    case "new", "existing" -> createIntent(claims.tenantId(), row);
                    case "unknown_booking" -> Uni.createFrom().failure(ProblemException.conflict(
                            "this booking cannot be paid yet; try again in a moment"));
                    case "already_paid" -> Uni.createFrom().failure(ProblemException.conflict("this booking is already paid"));
                    case "no_account" -> Uni.createFrom().failure(ProblemException.conflict("this operator does not take online payments yet"));
                    default -> Uni.createFrom().failure(ProblemException.conflict("this booking is no longer held for payment"));
                });
    }

    private Uni<Checkout> createIntent(UUID tenantId, Row payment) {
        UUID paymentId = payment.getUUID("payment_id");
        UUID bookingId = payment.getUUID("booking_id");
        String account = payment.getString("stripe_account_id");
        long amount = payment.getLong("amount_minor");
        String currency = payment.getString("currency");
        String idempotencyKey = "palisade-pi-" + bookingId + "-" + payment.getInteger("attempt");
        return stripe.createPaymentIntent(account, amount, currency, payment.getLong("application_fee_minor"),
                Map.of("tenant_id", tenantId.toString(), "booking_id", bookingId.toString(), "payment_id", paymentId.toString()), idempotencyKey)
                // Stripe created nothing: the attempt is closed, so the next checkout starts a fresh one.
                .onFailure(StripeGateway.StripeCallException.class).call(e -> tx.inScope(DbScope.anonymous(), c -> c.preparedQuery(
                        "select payment.abandon_attempt($1)").execute(Tuple.of(paymentId))))
                .onFailure(StripeGateway.StripeCallException.class).transform(e -> ((StripeGateway.StripeCallException) e).refused()
                        ? ProblemException.unprocessable("the payment provider refused this payment: " + e.getMessage())
                        : new ProblemException(new io.palisade.common.web.Problem(502, "Bad Gateway", "the payment provider did not answer; try again")))
                .call(intent -> tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select payment.record_intent($1, $2)")
                        .execute(Tuple.of(paymentId, intent.id()))))
                .map(intent -> new Checkout(intent.clientSecret(), publishableKey, account, amount, currency));
    }
}
