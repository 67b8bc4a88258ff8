package io.palisade.payment.payments;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the platform takes of each payment, and the least a card may be charged. */
@ConfigMapping(prefix = "palisade.payments")
public interface PaymentSettings {

    /** The platform's fee on each payment, in basis points of the amount (300 = 3 %). */
    @WithDefault("300")
    int applicationFeeBasisPoints();

    /** The smallest card charge Stripe takes: a gift card may not leave less than this to pay by card. */
    @WithDefault("50")
    long minCardAmountMinor();
}
