package io.palisade.common.events;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.security.ProductionSecretsGuard;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.common.annotation.Identifier;
import io.palisade.common.db.MigrationRun;

/**
 * The settings of every Kafka client a service makes: all {@code kafka.*} properties (and KAFKA_* environment
 * variables), the same map Quarkus' own Kafka extension and health check use, so security.protocol, sasl.* and ssl.*
 * (PEM truststores included) reach the outbox relay and the consumers exactly as configured.
 */
@ApplicationScoped
public class KafkaClients {

    static final String ALLOW_PLAINTEXT = "palisade.kafka.allow-plaintext";

    private final Map<String, Object> kafka;
    private final boolean allowPlaintext;
    private final MigrationRun migrationRun;

    KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = ALLOW_PLAINTEXT, defaultValue = "false") boolean allowPlaintext, MigrationRun migrationRun) {
        this.kafka = kafka;
        this.allowPlaintext = allowPlaintext;
        this.migrationRun = migrationRun;
    }

    /** In production, before anything connects: an open broker lets anyone produce a payment or an audit entry. */
    void requireAuthenticatedBroker(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent event) {
        if (ProductionSecretsGuard.production(LaunchMode.current(), ConfigUtils.getProfiles()) && !migrationRun.active()) {
            requireAuthenticated(kafka, allowPlaintext);
        }
    }

    static void requireAuthenticated(Map<String, Object> settings, boolean allowPlaintext) {
        String protocol = String.valueOf(settings.getOrDefault("security.protocol", "PLAINTEXT")).toUpperCase(Locale.ROOT);
        // SASL authenticates the client; so does TLS when the client presents a certificate (mutual TLS).
        boolean clientCertificate = settings.containsKey("ssl.keystore.location") || settings.containsKey("ssl.keystore.certificate.chain");
        if (protocol.startsWith("SASL_") || ("SSL".equals(protocol) && clientCertificate) || allowPlaintext) {
            return;
        }
        throw new IllegalStateException("refusing to start with kafka.security.protocol=" + protocol
                + (clientCertificate ? "" : " without a client certificate") + ": anyone who reaches an unauthenticated broker can produce events (confirm a booking without paying, write into"
                + " any tenant's audit chain). Set kafka.security.protocol=SASL_SSL with this service's SCRAM user"
                + " (docs/operations.md), or " + ALLOW_PLAINTEXT + "=true if the broker is protected some other way.");
    }

    /** Producer settings: the configured ones, then the given ones (the client's own needs) on top. */
    public Map<String, Object> producer(Map<String, Object> own) {
        Map<String, Object> settings = common();
        // Quarkus adds the application's name as group.id; a producer has no group.
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.putAll(own);
        return settings;
    }

    /** Consumer settings: the configured ones, then the given ones (group, offsets, timeouts) on top. */
    public Map<String, Object> consumer(Map<String, Object> own) {
        Map<String, Object> settings = common();
        settings.putAll(own);
        return settings;
    }

    private Map<String, Object> common() {
        return new HashMap<>(kafka);
    }
}
