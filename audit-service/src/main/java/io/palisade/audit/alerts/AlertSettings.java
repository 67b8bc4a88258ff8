package io.palisade.audit.alerts;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which audit actions raise alerts, how often, and where the platform's own alerts are mailed. */
@ConfigMapping(prefix = "palisade.audit.alerts")
public interface AlertSettings {

    /**
     * The critical actions: {@code action}, or {@code action:threshold} where that many entries of the action in a
     * chain within the interval make an alert.
     */
    @WithDefault("platform.impersonate_tenant,auth.locked,gift_card.guessing_blocked,gift_card.redemption_too_fast,auth.forbidden:5,auth.login_failed:10")
    List<String> rules();

    /** At most one alert per chain and kind per interval; held ones are counted and reported when it is over. */
    @WithDefault("PT10M")
    Duration interval();

    /** How often held alerts whose interval is over are looked for. */
    @WithDefault("30s")
    Duration flushEvery();

    /** Where platform-level alerts (no tenant, such as lockouts) are mailed; unset: the alerts topic only. */
    Optional<String> platformEmail();
}
