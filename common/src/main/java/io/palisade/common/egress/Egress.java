package io.palisade.common.egress;

/**
 * The guard and the pinned client under one use's rules. Each service produces one from its own mapping of
 * {@link EgressRules}, so that webhook endpoints and identity providers can be configured apart.
 */
public record Egress(EgressGuard guard, PinnedHttpClient http) {

    public Egress(EgressRules rules, HostResolver resolver) {
        this(new EgressGuard(rules, resolver), new PinnedHttpClient(rules));
    }
}
