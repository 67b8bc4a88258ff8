package io.palisade.booking.notifications;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The outgoing-message worker: how often it looks for due messages, and how long a claimed one is its own. */
@ConfigMapping(prefix = "palisade.notifications")
public interface NotificationSettings {

    @WithDefault("5s")
    Duration interval();

    /**
     * How long a claimed message belongs to the instance that claimed it: if that instance dies before sending, another
     * sends it once this has passed. Longer than a send takes, or a slow send is sent twice.
     */
    @WithDefault("PT2M")
    Duration lease();
}
