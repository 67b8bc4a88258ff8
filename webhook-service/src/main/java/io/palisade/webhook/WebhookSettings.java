package io.palisade.webhook;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Webhooks: which events are relayed, the published retry schedule, how many attempts run at once, when an endpoint
 * that keeps failing is disabled, and what a tenant may register. The defaults are here and nowhere else; where
 * webhooks may go is WebhookEgress.Rules (palisade.webhooks.egress.*).
 */
@ConfigMapping(prefix = "palisade.webhooks")
public interface WebhookSettings {

    /** The domain events relayed (docs/webhooks.md). */
    @WithDefault("palisade.booking.events,palisade.payment.events,palisade.audit.alerts,palisade.webhook.events")
    List<String> sourceTopics();

    /** The delay before attempt 1, 2, ... (published in docs/webhooks.md); after the last, the delivery fails. */
    @WithDefault("0s,5s,5m,30m,2h,5h,10h,10h")
    List<Duration> retrySchedule();

    /** ± this share of each delay, so that endpoints failing together do not retry together. */
    @WithDefault("0.1")
    double retryJitter();

    /** Attempts in flight at once, per instance. */
    @WithDefault("32")
    int maxInFlight();

    /** Attempts in flight at once to one endpoint, over all instances. */
    @WithDefault("4")
    int maxInFlightPerEndpoint();

    /** An endpoint failing continuously for longer is disabled. */
    @WithDefault("P5D")
    Duration disableAfter();

    /** How often an idle worker looks for due deliveries another instance queued. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Endpoints one tenant may register. */
    @WithDefault("20")
    int maxEndpointsPerTenant();

    /** How long an old signing secret keeps signing after a rotation. */
    @WithDefault("PT24H")
    Duration secretOverlap();
}
