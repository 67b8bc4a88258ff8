package io.palisade.common.egress;

/**
 * The host did not resolve. At registration that refuses the URL; at delivery it may be a passing DNS failure, so
 * the attempt is retried rather than blocked.
 */
public class HostNotFound extends EgressRefused {

    public HostNotFound(String host) {
        super("the host " + host + " does not resolve");
    }
}
