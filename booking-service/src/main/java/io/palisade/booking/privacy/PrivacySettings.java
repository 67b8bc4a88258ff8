package io.palisade.booking.privacy;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Guests' right to be forgotten: when a filed erasure is due, and how often the worker looks for due ones. */
@ConfigMapping(prefix = "palisade.privacy")
public interface PrivacySettings {

    /** An erasure request is due this long after it was filed (the legal deadline; the worker is usually much faster). */
    @WithDefault("P30D")
    Duration erasureDue();

    /** How often the erasure worker carries out due requests. */
    @WithDefault("60s")
    Duration erasureCheck();
}
