package io.palisade.booking.guests;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The single-use link mailed to the email given with a hold. */
@ConfigMapping(prefix = "palisade.email-proofs")
public interface EmailProofSettings {

    /** The page the link opens; the token follows in its fragment. */
    String url();

    /** How long a link works: a free booking is confirmed only while its hold lasts, a paid one is added to its guest later too. */
    @WithDefault("PT24H")
    Duration ttl();
}
