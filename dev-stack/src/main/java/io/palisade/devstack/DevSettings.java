package io.palisade.devstack;

import java.util.HashMap;
import java.util.Map;

/**
 * Ports and secrets of the local platform. Every value can be overridden by an environment variable; the
 * secrets' defaults start with {@code dev-only-}, which the services' production profile refuses.
 */
public final class DevSettings {

    public static final String DEV_ONLY_PREFIX = "dev-only-";

    private final Map<String, String> env;

    public DevSettings(Map<String, String> env) {
        this.env = env;
    }

    public int postgresPort() {
        return Integer.parseInt(env.getOrDefault("PALISADE_PG_PORT", "55432"));
    }

    public int kafkaPort() {
        return Integer.parseInt(env.getOrDefault("PALISADE_KAFKA_PORT", "59092"));
    }

    public int kafkaControllerPort() {
        return Integer.parseInt(env.getOrDefault("PALISADE_KAFKA_CONTROLLER_PORT", "59093"));
    }

    public int stripeFakePort() {
        return Integer.parseInt(env.getOrDefault("PALISADE_STRIPE_FAKE_PORT", "12111"));
    }

    public int servicePort(ServiceSpec service) {
        return Integer.parseInt(env.getOrDefault(service.envPrefix() + "_PORT", String.valueOf(service.defaultPort())));
    }

    /** Instance n (from 0) of a service listens 1000 ports above the first (8102, 9102, ...). */
    public int servicePort(ServiceSpec service, int instance) {
        return servicePort(service) + 1000 * instance;
    }

    /** The management interface (health, metrics) of an instance: 100 above its API port. */
    public int managementPort(ServiceSpec service, int instance) {
        return servicePort(service, instance) + 100;
    }

    /** How many instances of each service the local platform starts (PALISADE_INSTANCES, 1 by default). */
    public int instances() {
        int instances = Integer.parseInt(env.getOrDefault("PALISADE_INSTANCES", "1"));
        if (instances < 1) {
            throw new IllegalArgumentException("PALISADE_INSTANCES must be at least 1");
        }
        return instances;
    }

    /** 32-byte AES key, base64: encrypts signing keys and other secrets at rest. */
    public String masterKey() {
        // base64 of "dev-only-master-key-32-bytes!!!!"
        return env.getOrDefault("PALISADE_MASTER_KEY", "ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE=");
    }

    /** 32-byte HMAC key, base64: keyed lookups of encrypted values (a guest's email), stable across master key rotation. */
    public String lookupKey() {
        // base64 of "dev-only-lookup-key-32-bytes!!!!"
        return env.getOrDefault("PALISADE_LOOKUP_KEY", "ZGV2LW9ubHktbG9va3VwLWtleS0zMi1ieXRlcyEhISE=");
    }

    /** 32-byte HMAC key, base64: guest payment tokens, shared by booking-service (issues) and payment-service (accepts). */
    public String paymentTokenKey() {
        // base64 of "dev-only-payment-token-key-32b!!"
        return env.getOrDefault("PALISADE_PAYMENT_TOKEN_KEY", "ZGV2LW9ubHktcGF5bWVudC10b2tlbi1rZXktMzJiISE=");
    }

    /** 32-byte HMAC key, base64: guest waiver and manage tokens, booking-service's alone. */
    public String bookingTokenKey() {
        // base64 of "dev-only-booking-token-key-32b!!"
        return env.getOrDefault("PALISADE_BOOKING_TOKEN_KEY", "ZGV2LW9ubHktYm9va2luZy10b2tlbi1rZXktMzJiISE=");
    }

    /** 32-byte Ed25519 seed, base64: signs the audit ledger's checkpoints, audit-service's alone. */
    public String auditCheckpointKey() {
        // base64 of "dev-only-audit-checkpoint-key!!!"
        return env.getOrDefault("PALISADE_AUDIT_CHECKPOINT_KEY", "ZGV2LW9ubHktYXVkaXQtY2hlY2twb2ludC1rZXkhISE=");
    }

    public PlatformKeys keys() {
        return new PlatformKeys(masterKey(), lookupKey(), paymentTokenKey(), bookingTokenKey(), auditCheckpointKey());
    }

    /** The platform's secrets, base64 each. */
    public record PlatformKeys(String masterKey, String lookupKey, String paymentTokenKey, String bookingTokenKey, String auditCheckpointKey) {
    }

    public String platformAdminEmail() {
        return env.getOrDefault("PALISADE_PLATFORM_ADMIN_EMAIL", "admin@palisade.local");
    }

    public String platformAdminPassword() {
        return env.getOrDefault("PALISADE_PLATFORM_ADMIN_PASSWORD", "dev-only-Admin-Passw0rd!");
    }

    public String demoPassword() {
        return env.getOrDefault("PALISADE_DEMO_PASSWORD", "Demo-Passw0rd!2026");
    }

    /** Passwords of the Kafka users (the broker's admin and one per service). */
    public Map<String, String> kafkaPasswords() {
        Map<String, String> passwords = new HashMap<>();
        for (String user : KafkaBroker.users()) {
            passwords.put(user, env.getOrDefault("PALISADE_KAFKA_PASSWORD_" + user.toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
                    DEV_ONLY_PREFIX + "kafka-" + user));
        }
        return passwords;
    }

    public Map<String, String> rolePasswords() {
        Map<String, String> passwords = new HashMap<>();
        for (ServiceSpec service : ServiceSpec.ALL) {
            passwords.put(service.ownerRole(), env.getOrDefault("PALISADE_DB_PASSWORD_" + service.ownerRole().toUpperCase(),
                    DEV_ONLY_PREFIX + service.ownerRole()));
            passwords.put(service.appRole(), env.getOrDefault("PALISADE_DB_PASSWORD_" + service.appRole().toUpperCase(),
                    DEV_ONLY_PREFIX + service.appRole()));
        }
        return passwords;
    }

    /**
     * The configuration a serving service process gets, as Quarkus property names (the launcher passes them as
     * environment variables, the test resource as config overrides). No schema-owner password: a serving instance
     * cannot change its schema (see {@link #migrationConfig}).
     */
    /**
     * The configuration of the service's one-shot migration run: the serving configuration, the schema owner's
     * password and {@code palisade.migrate=true} (apply the migrations, exit 0).
     */
    public static Map<String, String> migrationConfig(Map<String, String> serviceConfig, ServiceSpec service,
            Map<String, String> rolePasswords) {
        Map<String, String> config = new HashMap<>(serviceConfig);
        config.put("palisade.db.owner-password", rolePasswords.get(service.ownerRole()));
        config.put("palisade.migrate", "true");
        return config;
    }

    public static Map<String, String> serviceConfig(ServiceSpec service, int postgresPort, KafkaBroker kafka,
            Map<String, String> rolePasswords, PlatformKeys keys) {
        Map<String, String> config = new HashMap<>();
        config.put("palisade.db.host", "127.0.0.1");
        config.put("palisade.db.port", String.valueOf(postgresPort));
        config.put("palisade.db.name", PlatformDatabase.DATABASE);
        config.put("palisade.db.app-password", rolePasswords.get(service.appRole()));
        // The service's own Kafka user: the broker lets it do only what kafka-acls.yaml lists for it.
        kafka.clientSettings(service.name()).forEach((setting, value) -> config.put("kafka." + setting, value));
        config.put("palisade.crypto.master-key", keys.masterKey());
        config.put("palisade.crypto.lookup-key", keys.lookupKey());
        // Each guest-token key only where it is needed: booking-service issues both kinds, payment-service
        // accepts payment tokens and nothing else.
        if (service.name().equals("booking-service")) {
            config.put("palisade.guest-tokens.payment-key", keys.paymentTokenKey());
            config.put("palisade.guest-tokens.booking-key", keys.bookingTokenKey());
        } else if (service.name().equals("payment-service")) {
            config.put("palisade.guest-tokens.payment-key", keys.paymentTokenKey());
        } else if (service.name().equals("audit-service")) {
            config.put("palisade.audit.checkpoint-key", keys.auditCheckpointKey());
        }
        return config;
    }
}
