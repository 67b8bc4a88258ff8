package io.palisade.deployment.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.palisade.devstack.ServiceSpec;

/**
 * The chart's configuration contract: every environment variable it gives a service's pod or migration Job is a setting
 * that service's build reads at run time. Quarkus silently ignores a misspelled variable, so a typo in the chart would
 * ship a pod running on defaults. What a build reads, taken from the packaged service itself: the run-time properties of
 * every Quarkus extension in it (each extension's config model), Palisade's own settings (its properties files,
 * {@code @ConfigProperty} and {@code @ConfigMapping} in its classes), and the Kafka client settings (kafka.*, passed to
 * the clients as they are). That every setting a prod start needs is set, ChartBootIT shows by starting the pods.
 */
class ConfigContractIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DotName CONFIG_PROPERTY = DotName.createSimple("org.eclipse.microprofile.config.inject.ConfigProperty");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([a-z][^:}]*)");
    private static final DotName CONFIG_MAPPING = DotName.createSimple("io.smallrye.config.ConfigMapping");

    /** Everything the chart can switch on at once. */
    private static final Map<String, Object> EVERYTHING_ON = Map.ofEntries(Map.entry("hooks.renderAsManifests", true),
            Map.entry("ingress.enabled", true), Map.entry("ingress.trustedProxies[0]", "10.0.0.0/8"), Map.entry("tracing.enabled", true),
            Map.entry("tracing.endpoint", "http://otel-collector.monitoring:4317"), Map.entry("webhooks.allowedPorts[0]", 8443),
            Map.entry("mail.securityAlertsTo", "security@palisade.example"), Map.entry("database.poolerHost", "palisade-db-pooler-rw"),
            Map.entry("crypto.keyVersion", 2), Map.entry("crypto.previousKeys.1", "master-key-v1"), Map.entry("crypto.rotateMasterKey", true),
            Map.entry("audit.checkpointPreviousPublicKeys[0]", "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="));

    @Test
    void everyVariableTheChartSetsIsASettingTheServiceReads() {
        Chart.Rendered rendered = Chart.APP.render(EVERYTHING_ON);
        Map<String, Settings> settings = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Node workload : Stream.concat(rendered.kind("Deployment").stream(), rendered.kind("Job").stream()).toList()) {
            String service = workload.get("metadata.labels").map().get("app.kubernetes.io/name").toString();
            if (service.equals("isolation-gate")) {
                continue;
            }
            Settings read = settings.computeIfAbsent(service, Settings::of);
            for (Node env : workload.list("spec.template.spec.containers").get(0).list("env")) {
                checked++;
                if (!read.reads(env.text("name"))) {
                    unknown.add(workload + ": " + env.text("name"));
                }
            }
        }
        assertEquals(List.of(), unknown, "variables no setting of the service matches (misspelled, or fixed at build time)");
        assertTrue(checked > 150, "the chart's variables were all looked at: " + checked);
    }

    @Test
    void theCheckKnowsAMisspelledOrBuildTimeSettingFromARealOne() {
        Settings booking = Settings.of("booking-service");
        for (String real : List.of("QUARKUS_HTTP_PORT", "QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE", "QUARKUS_DATASOURCE_MIGRATIONS_JDBC_URL",
                "PALISADE_DB_HOST", "PALISADE_GUEST_TOKENS_BOOKING_KEY", "KAFKA_SASL_JAAS_CONFIG", "MP_JWT_VERIFY_PUBLICKEY_LOCATION")) {
            assertTrue(booking.reads(real), real);
        }
        assertTrue(booking.reads("palisade.crypto.previous-keys.1"), "a map setting under its own name");
        assertFalse(booking.reads("palisade.crypto.previous-key.1"));
        for (String wrong : List.of("QUARKUS_HTTP_PROT", "QUARKUS_DATASOURCE_REACTIVE_POSTGRES_SSL_MODE", "PALISADE_DB_HOTS",
                "QUARKUS_DATASOURCE_MIGRATION_JDBC_URL",
                "PALISADE_STRIPE_SECRET_KEY", "KAFKA_SASL_JAAS_CONFG", "QUARKUS_DATASOURCE_DB_KIND")) {
            assertFalse(booking.reads(wrong), wrong);
        }
        assertTrue(Settings.of("payment-service").reads("PALISADE_STRIPE_SECRET_KEY"));
        Settings webhook = Settings.of("webhook-service");
        assertTrue(webhook.reads("PALISADE_WEBHOOKS_EGRESS_ALLOWED_PORTS"), "a @ConfigMapping's setting");
        assertFalse(webhook.reads("PALISADE_WEBHOOKS_EGRESS_ALLOWED_PORT"), "a misspelled one under the mapping's prefix");
    }

    /** The settings one packaged service reads, as environment variable patterns. */
    record Settings(List<Pattern> patterns, Set<String> properties) {

        static Settings of(String service) {
            Path app = Path.of("..", service, "target", "quarkus-app").toAbsolutePath().normalize();
            assertTrue(Files.isDirectory(app), app + " is missing: the services are packaged before this module's tests");
            List<Pattern> patterns = new ArrayList<>();
            Set<String> properties = new HashSet<>();
            // The names the service's own configuration gives named Quarkus settings (the datasource "migrations").
            Set<String> names = new HashSet<>();
            try (Stream<Path> listed = Stream.concat(Files.list(app.resolve("lib/main")), Files.list(app.resolve("app")))) {
                List<Path> jars = listed.filter(j -> j.toString().endsWith(".jar")).toList();
                // One index over Palisade's jars: a service's mapping may extend an interface of common (EgressRules).
                Indexer indexer = new Indexer();
                for (Path jar : jars) {
                    if (jar.getFileName().toString().contains("palisade") || jar.getParent().getFileName().toString().equals("app")) {
                        try (JarFile file = new JarFile(jar.toFile())) {
                            palisadeSettings(file, properties, names, indexer);
                        }
                    }
                }
                annotatedSettings(indexer.complete(), properties);
                for (Path jar : jars) {
                    try (JarFile file = new JarFile(jar.toFile())) {
                        JarEntry model = file.getJarEntry("META-INF/quarkus-config-doc/quarkus-config-model.json");
                        if (model != null) {
                            try (InputStream in = file.getInputStream(model)) {
                                for (JsonNode root : JSON.readTree(in).path("configRoots")) {
                                    collectRunTime(root.path("items"), patterns, names);
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            properties.forEach(property -> patterns.add(Pattern.compile(Pattern.quote(envName(property)))));
            Stream.of(ProducerConfig.configNames(), ConsumerConfig.configNames(), AdminClientConfig.configNames()).flatMap(Set::stream)
                    .forEach(kafka -> patterns.add(Pattern.compile(Pattern.quote(envName("kafka." + kafka)))));
            // The image's entrypoint appends it to the java command line (docker/Dockerfile.jvm).
            patterns.add(Pattern.compile("JAVA_OPTS_APPEND"));
            return new Settings(patterns, properties);
        }

        boolean reads(String variable) {
            if (variable.contains(".")) {
                // A variable under the property's own name: a map setting (palisade.crypto.previous-keys.1).
                return properties.stream().anyMatch(p -> variable.equals(p) || variable.startsWith(p + "."));
            }
            return patterns.stream().anyMatch(p -> p.matcher(variable).matches());
        }

        /** Run-time properties of a Quarkus extension, named ones ("datasource-name") matching any name. */
        private static void collectRunTime(JsonNode items, List<Pattern> patterns, Set<String> names) {
            for (JsonNode item : items) {
                if (item.has("items")) {
                    collectRunTime(item.path("items"), patterns, names);
                }
                if (!item.has("path") || !"RUN_TIME".equals(item.path("phase").asText())) {
                    continue;
                }
                patterns.add(pattern(item.path("path").path("property").asText(), names));
                for (JsonNode additional : item.path("additionalPaths")) {
                    patterns.add(pattern(additional.path("property").asText(), names));
                }
            }
        }

        private static Pattern pattern(String property, Set<String> names) {
            // A quoted segment ("datasource-name") or a map key (*) stands for a name the service's configuration uses.
            String[] pieces = property.replaceAll("\"[^\"]*\"", "\u0000").replace("*", "\u0000").split("\u0000", -1);
            String anyName = names.stream().map(n -> Pattern.quote(envName(n))).collect(java.util.stream.Collectors.joining("|", "(?:", ")"));
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < pieces.length; i++) {
                if (i > 0) {
                    regex.append(names.isEmpty() ? "(?!)" : anyName);
                }
                regex.append(Pattern.quote(envName(pieces[i])));
            }
            return Pattern.compile(regex.toString());
        }

        /** Palisade's own settings in one of its jars' properties files; its classes go to the index. */
        private static void palisadeSettings(JarFile jar, Set<String> properties, Set<String> names, Indexer indexer) throws IOException {
            for (String file : List.of("application.properties", "META-INF/microprofile-config.properties")) {
                JarEntry entry = jar.getJarEntry(file);
                if (entry != null) {
                    Properties loaded = new Properties();
                    try (InputStream in = jar.getInputStream(entry)) {
                        loaded.load(in);
                    }
                    for (String name : loaded.stringPropertyNames()) {
                        // Quarkus' own properties are judged by the extensions' models (a build-time one set at run time is ignored).
                        String property = name.startsWith("%") ? name.substring(name.indexOf('.') + 1) : name;
                        if (!property.startsWith("quarkus.")) {
                            properties.add(property);
                        } else {
                            // Every segment of a Quarkus key may be a name (quarkus.datasource.migrations.*).
                            names.addAll(List.of(property.split("\\.")));
                        }
                        // A property named in another's value is read through it: ${palisade.db.app-password}.
                        java.util.regex.Matcher reference = EXPRESSION.matcher(loaded.getProperty(name));
                        while (reference.find()) {
                            properties.add(reference.group(1));
                        }
                    }
                }
            }
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                if (entry.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        indexer.index(in);
                    }
                }
            }
        }

        /** @ConfigProperty names, and each @ConfigMapping's prefix with its methods and those of the interfaces it extends. */
        private static void annotatedSettings(Index index, Set<String> properties) {
            for (AnnotationInstance property : index.getAnnotations(CONFIG_PROPERTY)) {
                if (property.value("name") != null) {
                    properties.add(property.value("name").asString());
                }
            }
            for (AnnotationInstance mapping : index.getAnnotations(CONFIG_MAPPING)) {
                // A mapping's settings: its prefix and each method, in kebab case (allowLoopback → allow-loopback).
                String prefix = mapping.value("prefix").asString();
                java.util.Deque<org.jboss.jandex.ClassInfo> types = new java.util.ArrayDeque<>(List.of(mapping.target().asClass()));
                while (!types.isEmpty()) {
                    org.jboss.jandex.ClassInfo type = types.pop();
                    for (org.jboss.jandex.MethodInfo method : type.methods()) {
                        properties.add(prefix + "." + method.name().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
                    }
                    type.interfaceNames().stream().map(index::getClassByName).filter(java.util.Objects::nonNull).forEach(types::push);
                }
            }
        }

        /** A property's environment variable, as MicroProfile Config maps them: upper case, every other character '_'. */
        static String envName(String property) {
            return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        }
    }
}
