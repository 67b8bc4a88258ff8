package io.palisade.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The Kafka users of the platform and what each may write, read and which consumer groups it uses, read from
 * {@code k8s/palisade-platform/files/kafka-acls.yaml} (on the classpath as {@code kafka-acls.yaml}), the same file
 * the platform chart makes its KafkaUsers from.
 */
public record KafkaAcls(List<String> topics, Map<String, Access> users) {

    /** What one user may do. */
    public record Access(List<String> writes, List<String> reads, List<String> groups) {
    }

    public static KafkaAcls load() {
        try (InputStream in = KafkaAcls.class.getResourceAsStream("/kafka-acls.yaml")) {
            if (in == null) {
                throw new IllegalStateException("kafka-acls.yaml is not on the classpath");
            }
            return new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                    .readValue(in, KafkaAcls.class);
        } catch (IOException e) {
            throw new UncheckedIOException("kafka-acls.yaml cannot be read", e);
        }
    }

    /** The ACLs of one user: WRITE on the topics it writes, READ on those it reads and on its groups; nothing else. */
    public List<AclBinding> bindings(String user) {
        Access access = users.get(user);
        if (access == null) {
            throw new IllegalArgumentException("no Kafka user " + user + " in kafka-acls.yaml");
        }
        String principal = "User:" + user;
        List<AclBinding> bindings = new ArrayList<>();
        access.writes().forEach(topic -> bindings.add(allow(principal, ResourceType.TOPIC, topic, AclOperation.WRITE)));
        access.reads().forEach(topic -> bindings.add(allow(principal, ResourceType.TOPIC, topic, AclOperation.READ)));
        access.groups().forEach(group -> bindings.add(allow(principal, ResourceType.GROUP, group, AclOperation.READ)));
        return bindings;
    }

    private static AclBinding allow(String principal, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
