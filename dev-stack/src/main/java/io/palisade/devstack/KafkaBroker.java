package io.palisade.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka (broker and controller in one KRaft process) running inside this JVM on loopback, as
 * production runs it: clients authenticate with SASL/SCRAM-SHA-512, one user per service, and the broker's
 * authorizer allows each only what {@link KafkaAcls} (kafka-acls.yaml) lists; topics are created here, never by a
 * client. Ports are fixed so the broker can be stopped and started again at the same address, as tests of "broker
 * down for a while" need.
 */
public final class KafkaBroker implements AutoCloseable {

    /** The broker's own user (inter-broker and controller traffic, topic and ACL set-up): the only super user. */
    public static final String ADMIN_USER = "palisade-admin";
    private static final String MECHANISM = "SCRAM-SHA-512";
    /** Written after a format with SCRAM users: a directory formatted before the broker was secured is formatted again. */
    private static final String SECURED_MARKER = "palisade-secured";

    private final Path dataDirectory;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> passwords;
    private static final KafkaAcls ACLS = KafkaAcls.load();
    /** Set when the broker runs in another class loader of this JVM (see {@link #runningElsewhere}). */
    private final Runnable startElsewhere;
    private final Runnable stopElsewhere;
    private KafkaRaftServer server;

    /**
     * @param passwords the password of {@link #ADMIN_USER} and of every user in kafka-acls.yaml
     */
    public KafkaBroker(Path dataDirectory, int brokerPort, int controllerPort, Map<String, String> passwords) {
        this(dataDirectory, brokerPort, controllerPort, passwords, null, null);
    }

    private KafkaBroker(Path dataDirectory, int brokerPort, int controllerPort, Map<String, String> passwords, Runnable startElsewhere,
            Runnable stopElsewhere) {
        this.dataDirectory = dataDirectory;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.startElsewhere = startElsewhere;
        this.stopElsewhere = stopElsewhere;
        this.passwords = Map.copyOf(passwords);
        for (String user : users()) {
            if (!passwords.containsKey(user)) {
                throw new IllegalArgumentException("no Kafka password for " + user);
            }
        }
    }

    /**
     * A handle on a broker that another class loader of this JVM started (Quarkus tests load this class once per test
     * profile): the same address and users; start and stop act on that broker.
     */
    public static KafkaBroker runningElsewhere(int brokerPort, Map<String, String> passwords, Runnable start, Runnable stop) {
        return new KafkaBroker(null, brokerPort, -1, passwords, start, stop);
    }

    public int port() {
        return brokerPort;
    }

    /** The admin user and every service user of kafka-acls.yaml. */
    public static List<String> users() {
        List<String> users = new ArrayList<>(ACLS.users().keySet());
        users.add(ADMIN_USER);
        return users;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Kafka client settings (no "kafka." prefix) for one user: the bootstrap address and its SCRAM credentials. */
    public Map<String, String> clientSettings(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user " + user);
        }
        return Map.of("bootstrap.servers", bootstrapServers(), "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password, false));
    }

    /** Settings of the super user, for tests that read or publish on any topic. */
    public Map<String, Object> adminSettings() {
        return new HashMap<>(clientSettings(ADMIN_USER));
    }

    public synchronized void start() {
        if (startElsewhere != null) {
            startElsewhere.run();
            return;
        }
        if (server != null) {
            return;
        }
        try {
            Files.createDirectories(dataDirectory);
            KafkaConfig config = KafkaConfig.fromProps(properties(), false);
            formatIfNew();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            applyUsersTopicsAndAcls();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker did not start on " + bootstrapServers(), e);
        }
    }

    public synchronized void stop() {
        if (stopElsewhere != null) {
            stopElsewhere.run();
            return;
        }
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    @Override
    public void close() {
        stop();
    }

    private void formatIfNew() throws Exception {
        if (Files.exists(dataDirectory.resolve(SECURED_MARKER))) {
            return;
        }
        if (Files.exists(dataDirectory.resolve("meta.properties"))) {
            System.out.println("Kafka data in " + dataDirectory + " predates authenticated Kafka: starting it afresh");
            try (var files = Files.walk(dataDirectory)) {
                files.sorted(java.util.Comparator.reverseOrder()).filter(f -> !f.equals(dataDirectory)).forEach(f -> f.toFile().delete());
            }
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(dataDirectory.toString()))
                .setMetadataLogDirectory(dataDirectory.toString())
                .setControllerListenerName("CONTROLLER")
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setUnstableFeatureVersionsEnabled(false)
                .setIgnoreFormatted(true)
                // The admin's SCRAM credential must exist before the broker starts: it is how the broker talks to itself.
                .setScramArguments(List.of(MECHANISM + "=[name=" + ADMIN_USER + ",password=" + passwords.get(ADMIN_USER) + "]"))
                .run();
        Files.writeString(dataDirectory.resolve(SECURED_MARKER), "formatted with SCRAM users\n");
    }

    /**
     * Makes the broker match kafka-acls.yaml: every service user with its password, every topic, exactly the listed
     * ACLs (ACLs of a service user not in the table are removed). Idempotent; runs at each start.
     */
    private void applyUsersTopicsAndAcls() throws Exception {
        try (Admin admin = Admin.create(adminSettings())) {
            List<UserScramCredentialAlteration> credentials = new ArrayList<>();
            for (String user : ACLS.users().keySet()) {
                credentials.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        passwords.get(user)));
            }
            admin.alterUserScramCredentials(credentials).all().get(30, TimeUnit.SECONDS);
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = ACLS.topics().stream().filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 3, (short) 1)).toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            Set<AclBinding> wanted = new HashSet<>();
            ACLS.users().keySet().forEach(user -> wanted.addAll(ACLS.bindings(user)));
            Collection<AclBinding> present = admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS);
            List<AclBindingFilter> stale = present.stream().filter(b -> !wanted.contains(b)).map(AclBinding::toFilter).toList();
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(30, TimeUnit.SECONDS);
            }
            List<AclBinding> absent = wanted.stream().filter(b -> !present.contains(b)).toList();
            admin.createAcls(absent).all().get(30, TimeUnit.SECONDS);
            awaitBrokerSees(admin, wanted);
        }
    }

    /**
     * The controller has committed the changes; the broker applies them from the metadata log a moment later, and until
     * then a client may be refused what the table grants (KafkaAclsTest failed so, now and then, right after a start).
     * Starting returns once the broker's own authorizer holds exactly the wanted ACLs and it knows every user and topic.
     */
    private static void awaitBrokerSees(Admin admin, Set<AclBinding> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Set<AclBinding> acls = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS));
            Set<String> users = admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).keySet();
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (acls.equals(wanted) && users.containsAll(ACLS.users().keySet()) && topics.containsAll(ACLS.topics())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not apply kafka-acls.yaml within 30 s: it holds " + acls);
            }
            Thread.sleep(100);
        }
    }

    private static String jaas(String module, String user, String password, boolean serverSide) {
        String quoted = password.replace("\\", "\\\\").replace("\"", "\\\"");
        return module + " required username=\"" + user + "\" password=\"" + quoted + "\""
                + (serverSide ? " user_" + user + "=\"" + quoted + "\"" : "") + ";";
    }

    private Properties properties() throws IOException {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        // Clients (and the broker itself) on CLIENT with SCRAM; the broker reaches its controller on CONTROLLER with
        // PLAIN, whose one user is the admin (SCRAM credentials live in the metadata the controller serves).
        props.put("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "CLIENT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", "CLIENT");
        props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        props.put("listener.name.client.sasl.enabled.mechanisms", MECHANISM);
        props.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                jaas("org.apache.kafka.common.security.scram.ScramLoginModule", ADMIN_USER, passwords.get(ADMIN_USER), false));
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.controller.plain.sasl.jaas.config",
                jaas("org.apache.kafka.common.security.plain.PlainLoginModule", ADMIN_USER, passwords.get(ADMIN_USER), true));
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:" + ADMIN_USER);
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("log.dirs", dataDirectory.toString());
        props.put("metadata.log.dir", dataDirectory.toString());
        props.put("num.partitions", "3");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // As in production: topics come from kafka-acls.yaml, never from a client's first use.
        props.put("auto.create.topics.enable", "false");
        props.put("log.flush.interval.messages", "1");
        return props;
    }
}
