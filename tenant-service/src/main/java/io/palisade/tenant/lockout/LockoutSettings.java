package io.palisade.tenant.lockout;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Login throttling limits, one per login identifier (email) and one per client address, and the unlock links that get past the first. */
@ConfigMapping(prefix = "palisade.lockout")
public interface LockoutSettings {

    Limit email();

    Limit ip();

    /** No lock lasts longer than this, however many strikes. */
    @WithDefault("PT24H")
    Duration maxLock();

    /** Strikes are forgotten when the last lock is older than this. */
    @WithDefault("P1D")
    Duration strikeMemory();

    /** How long an unlock link mailed to a locked identifier's owner works. */
    @WithDefault("PT15M")
    Duration unlockLinkTtl();

    /** Links one identifier may be sent per lifetime of a link: a lock is not a way to flood someone's mailbox. */
    @WithDefault("3")
    int maxUnlockLinks();

    interface Limit {
        /** Failures within the window that lock the key. */
        int maxFailures();

        /** The sliding window in which failures count. */
        Duration window();

        /** The first lock's length; each further strike doubles it. */
        Duration baseLock();
    }
}
