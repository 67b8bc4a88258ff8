package io.palisade.booking.holds;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Holds from the booking widget: how long one keeps its seats, and what one client, network and email may hold per
 * tenant, so nobody can squat a tenant's seats or flood a mailbox. The defaults are here and nowhere else.
 */
@ConfigMapping(prefix = "palisade.holds")
public interface HoldSettings {

    /** How long a hold keeps its seats unless paid. */
    @WithDefault("PT15M")
    Duration ttl();

    /** The window in which the limits below count a tenant's holds. */
    @WithDefault("PT15M")
    Duration limitWindow();

    /** Holds one client address may make per tenant and window. */
    @WithDefault("30")
    int maxPerClient();

    /** Holds made with one guest email per tenant and window. */
    @WithDefault("5")
    int maxPerEmail();

    /** Holds from one network (ClientNetwork: an IPv4 /24, an IPv6 /56): rotating addresses inside one allocation counts as one client. */
    @WithDefault("100")
    int maxPerNetwork();

    /** Seats one client may hold on one slot per window, over all its holds: nobody takes a slot from everyone else. */
    @WithDefault("20")
    int maxSeatsPerClientSlot();

    /** Seats one hold may take: larger groups book through the operator. */
    @WithDefault("10")
    int maxSeats();

    /** How often HoldExpiry looks for holds that ran out (its schedule reads the setting). */
    @WithDefault("10s")
    Duration expiryCheck();
}
