package io.palisade.payment.payments;

import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.events.PaymentContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Moves a payment to its PaymentIntent's state as read back from Stripe, on a connection under the worker scope of
 * the Stripe event's tenant (so only that tenant's payments are found). Succeeded and canceled are final: nothing moves
 * a payment out of them, so a late or replayed event cannot undo a refund or revive a payment. payment.succeeded is
 * emitted once, on the move into succeeded, and only when Stripe received exactly the booking's amount in its currency.
 * Each method answers the outcome the event worker records and counts.
 */
@ApplicationScoped
public class PaymentIntentStates {

    static final String SUCCEEDED = "succeeded";
    static final String CANCELED = "canceled";
    private static final Set<String> AWAITING_THE_GUEST = Set.of("requires_payment_method", "requires_confirmation", "requires_action");
    private static final Set<String> KEPT = Set.of("requires_payment", "processing", CANCELED);

    private final PaymentRepository payments;
    private final Outbox outbox;

    PaymentIntentStates(PaymentRepository payments, Outbox outbox) {
        this.payments = payments;
        this.outbox = outbox;
    }

    /** {@code failed}: the event said the last attempt failed (payment_intent.payment_failed, confirmed by the API). */
    public Uni<String> applyIntent(SqlConnection c, UUID tenant, String eventId, String account, StripeGateway.Intent intent, boolean failed) {
        return payments.lockByIntent(c, account, intent.id()).chain(found -> found.isEmpty() ? Uni.createFrom().item("unknown_intent")
                : move(c, tenant, eventId, found.get(), ourStatus(intent.status()), intent.amountReceived(), intent.currency(), failed));
    }

    /**
     * A charge's refunded total as read back from Stripe. A refund proves the payment succeeded, so a refund seen first
     * also records the success (once, checked as any success). payment.refunded carries the cumulative amount.
     */
    public Uni<String> applyRefundedTotal(SqlConnection c, UUID tenant, String eventId, String account, StripeGateway.Intent intent,
            long amountRefunded) {
        return payments.lockByIntent(c, account, intent.id()).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item("unknown_intent");
            }
            PaymentRepository.Payment payment = found.get();
            Uni<String> succeeded = SUCCEEDED.equals(payment.status()) ? Uni.createFrom().item(SUCCEEDED)
                    : move(c, tenant, eventId, payment, SUCCEEDED, intent.amountReceived(), intent.currency(), false);
            return succeeded.chain(outcome -> {
                if (!SUCCEEDED.equals(outcome)) {
                    return Uni.createFrom().item(outcome);
                }
                if (amountRefunded <= payment.refundedMinor()) {
                    return Uni.createFrom().item("refund_already_recorded");
                }
                return payments.setRefunded(c, payment.id(), amountRefunded)
                        .chain(() -> outbox.append(c, tenant, PaymentContract.REFUNDED, payment.bookingId().toString(), moved(payment, eventId, amountRefunded)))
                        .replaceWith("refunded");
            });
        });
    }

    private Uni<String> move(SqlConnection c, UUID tenant, String eventId, PaymentRepository.Payment payment, String status,
            long amountReceived, String currency, boolean failed) {
        if (SUCCEEDED.equals(payment.status()) || CANCELED.equals(payment.status())) {
            return Uni.createFrom().item("already_" + payment.status());
        }
        if (SUCCEEDED.equals(status)) {
            if (amountReceived != payment.amountMinor() || !payment.currency().equalsIgnoreCase(currency)) {
                return payments.flag(c, payment.id(), "amount_mismatch").replaceWith("amount_mismatch");
            }
            // The booking's total: this card payment and what gift cards paid before it.
            return payments.setStatus(c, payment.id(), SUCCEEDED)
                    .chain(() -> payments.giftCardPaid(c, payment.bookingId()))
                    .chain(giftCards -> outbox.append(c, tenant, PaymentContract.SUCCEEDED, payment.bookingId().toString(),
                            PaymentContract.PaymentSucceeded.of(payment.bookingId(), payment.id(), payment.paymentIntentId(), eventId,
                                    payment.amountMinor(), giftCards, payment.currency())))
                    .replaceWith(SUCCEEDED);
        }
        if (!KEPT.contains(status)) {
            return Uni.createFrom().item("ignored");
        }
        Uni<Void> moved = payments.setStatus(c, payment.id(), status);
        if (!CANCELED.equals(status) && !failed) {
            return moved.replaceWith(status);
        }
        String outcome = CANCELED.equals(status) ? CANCELED : "failed";
        return moved.chain(() -> outbox.append(c, tenant, CANCELED.equals(status) ? PaymentContract.CANCELED : PaymentContract.FAILED,
                        payment.bookingId().toString(), moved(payment, eventId, payment.amountMinor())))
                .replaceWith(outcome);
    }

    /** Stripe's states that wait for the guest are one state here. */
    private static String ourStatus(String stripeStatus) {
        return AWAITING_THE_GUEST.contains(stripeStatus) ? "requires_payment" : stripeStatus;
    }

    private static PaymentContract.PaymentMoved moved(PaymentRepository.Payment payment, String eventId, long amountMinor) {
        return new PaymentContract.PaymentMoved(payment.bookingId(), payment.id(), payment.paymentIntentId(), eventId, amountMinor, payment.currency());
    }
}
