package io.palisade.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.devstack.testing.IdempotencyCoverage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every mutating POST of payment-service honours Idempotency-Key, except the ones named here. */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class IdempotencyCoverageTest {

    /**
     * No tenant member to key on, and idempotent by construction: the guest's checkout returns the same
     * PaymentIntent for the same booking and attempt (Stripe idempotency key); a repeated gift card redemption
     * finds the booking paid or the card empty (a redemption takes whatever the booking still owes or the card
     * still holds); Stripe's webhooks are deduplicated on the event id; each gift card purchase is a new one by
     * design (nothing is charged until the guest pays, and one client may start only so many).
     */
    private static final Set<String> WITHOUT_IDEMPOTENCY = Set.of("GuestPaymentResource.checkout", "GuestGiftCardResource.redeem",
            "StripeWebhookResource.receive", "PublicGiftCardResource.purchase");

    @Test
    void everyPostIsIdempotentOrDeliberatelyExempt() {
        IdempotencyCoverage.Report report = IdempotencyCoverage.of(Idempotent.class);
        assertEquals(Set.of(), report.staleExemptions(WITHOUT_IDEMPOTENCY), "stale exemptions");
        assertEquals(Set.of(), report.missing(WITHOUT_IDEMPOTENCY), "POST endpoints without @Idempotent");
    }
}
