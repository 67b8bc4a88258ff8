package io.palisade.tenant.guests;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Guests' sign-in links: how long one works, how many may be asked for, and the page that takes the token. */
@ConfigMapping(prefix = "palisade.guests")
public interface GuestLinkSettings {

    /** How long a link works. */
    @WithDefault("PT30M")
    Duration linkTtl();

    /** Links one email may be sent per tenant in {@link #maxLinksWindow()}. */
    @WithDefault("5")
    int maxLinks();

    @WithDefault("PT15M")
    Duration maxLinksWindow();

    /** Links one client address may ask for in the window, for any tenant and email. */
    @WithDefault("20")
    int maxLinksPerAddress();

    /** Where the tenant's booking pages take the token from: {@code <url>#token=...} (a fragment never reaches a server log). */
    String signInUrl();
}
