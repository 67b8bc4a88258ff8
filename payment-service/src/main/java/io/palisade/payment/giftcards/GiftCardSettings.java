package io.palisade.payment.giftcards;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What one client may try with gift cards: codes guessed and purchases started. The defaults are here and nowhere else. */
@ConfigMapping(prefix = "palisade.gift-cards")
public interface GiftCardSettings {

    /** Wrong codes one client may try per window before it is blocked for the rest of it. */
    @WithDefault("5")
    int maxFailures();

    /** The window in which wrong codes count. */
    @WithDefault("PT15M")
    Duration failureWindow();

    /** The least time between one client's tries. */
    @WithDefault("PT2S")
    Duration minInterval();

    /** Purchases one client may start per hour. */
    @WithDefault("10")
    int maxPurchasesPerHour();
}
