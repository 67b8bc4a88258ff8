package io.palisade.devstack;

/**
 * One Palisade service as the platform database and the local launcher see it: its schema, the role that
 * owns the schema (migrations only) and the login role the running service uses.
 */
public record ServiceSpec(String name, String schema, String ownerRole, String appRole, int defaultPort) {

    /** Every service built so far, in start order (tenant-service first: the others call its helpers). */
    public static final java.util.List<ServiceSpec> ALL = java.util.List.of(
            new ServiceSpec("tenant-service", "tenancy", "tenancy_owner", "tenant_service", 8101),
            new ServiceSpec("booking-service", "booking", "booking_owner", "booking_service", 8102),
            new ServiceSpec("payment-service", "payment", "payment_owner", "payment_service", 8103),
            new ServiceSpec("audit-service", "audit", "audit_owner", "audit_service", 8104),
            new ServiceSpec("webhook-service", "webhook", "webhook_owner", "webhook_service", 8105));

    public static ServiceSpec named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown service " + name));
    }

    /** Environment variable prefix of this service, e.g. TENANT_SERVICE. */
    public String envPrefix() {
        return name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
