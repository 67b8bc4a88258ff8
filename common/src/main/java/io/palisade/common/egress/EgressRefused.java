package io.palisade.common.egress;

/** A URL or address Palisade will not connect to; the message says why, for the tenant and the log. */
public class EgressRefused extends Exception {

    public EgressRefused(String reason) {
        super(reason);
    }
}
