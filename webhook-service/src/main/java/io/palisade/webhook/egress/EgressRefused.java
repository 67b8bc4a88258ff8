package io.palisade.webhook.egress;

/** A webhook URL or address Palisade will not send to; the message says why, for the tenant and the log. */
public class EgressRefused extends Exception {

    public EgressRefused(String reason) {
        super(reason);
    }
}
