package io.palisade.deployment.charts;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.strimzi.api.kafka.model.common.UnknownPropertyPreserving;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;

/**
 * Strict validation of rendered objects: built-in kinds against the Kubernetes OpenAPI models (client-java: unknown
 * fields and wrong types fail), Strimzi kinds against Strimzi's own model (unknown properties reported). Kinds without
 * a schema here (CloudNativePG, Barman Cloud, Prometheus Operator) are named so that each test asserts their fields.
 */
public final class Schemas {

    private static final Map<String, Class<?>> BUILT_IN = Map.ofEntries(
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("batch/v1/Job", V1Job.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class));

    private static final Map<String, Class<? extends UnknownPropertyPreserving>> STRIMZI = Map.of(
            "kafka.strimzi.io/v1/Kafka", Kafka.class,
            "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class,
            "kafka.strimzi.io/v1/KafkaUser", KafkaUser.class);

    /** Kinds no schema library here knows: the chart tests assert their fields one by one. */
    public static final java.util.Set<String> ASSERTED_BY_FIELDS = java.util.Set.of(
            "postgresql.cnpg.io/v1/Cluster", "postgresql.cnpg.io/v1/ScheduledBackup", "postgresql.cnpg.io/v1/Pooler",
            "barmancloud.cnpg.io/v1/ObjectStore", "monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper STRIMZI_READER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Schemas() {
    }

    public static String type(Node object) {
        return object.text("apiVersion") + "/" + object.kind();
    }

    /** Every problem found in the objects, as "Kind/name: problem"; empty when all are valid. */
    public static List<String> problems(List<Node> objects) {
        List<String> problems = new ArrayList<>();
        for (Node object : objects) {
            String problem = problem(object);
            if (problem != null) {
                problems.add(object + ": " + problem);
            }
        }
        return problems;
    }

    private static String problem(Node object) {
        String type = type(object);
        if (object.name() == null || object.name().isEmpty()) {
            return "no metadata.name";
        }
        try {
            if (BUILT_IN.containsKey(type)) {
                String text = JSON.writeValueAsString(object.value());
                // Unknown and missing fields, then the types (reading a string into an integer field fails).
                BUILT_IN.get(type).getMethod("validateJsonElement", JsonElement.class).invoke(null, JsonParser.parseString(text));
                BUILT_IN.get(type).getMethod("fromJson", String.class).invoke(null, text);
                return null;
            }
            if (STRIMZI.containsKey(type)) {
                UnknownPropertyPreserving model = STRIMZI_READER.convertValue(object.value(), STRIMZI.get(type));
                java.util.Set<String> unknown = new java.util.TreeSet<>();
                collectUnknown(model, "", unknown);
                return unknown.isEmpty() ? null : "unknown properties " + unknown;
            }
            if (ASSERTED_BY_FIELDS.contains(type)) {
                return null;
            }
            return "no schema for " + type + " (a kind the charts should not render, or one to add here)";
        } catch (InvocationTargetException e) {
            return e.getCause().getMessage();
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    /** Walks a Strimzi model through its getters and reports every property its schema did not know. */
    private static void collectUnknown(Object model, String path, java.util.Set<String> unknown) throws Exception {
        if (model == null) {
            return;
        }
        if (model instanceof UnknownPropertyPreserving preserving && preserving.getAdditionalProperties() != null) {
            preserving.getAdditionalProperties().keySet().forEach(key -> unknown.add(path + key));
        }
        if (model instanceof Iterable<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknown(item, path + "[" + i++ + "].", unknown);
            }
            return;
        }
        if (!model.getClass().getName().startsWith("io.strimzi.api")) {
            return;
        }
        for (var method : model.getClass().getMethods()) {
            if (method.getParameterCount() == 0 && method.getName().startsWith("get") && !method.getName().equals("getClass")
                    && !method.getName().equals("getAdditionalProperties") && !Map.class.isAssignableFrom(method.getReturnType())) {
                collectUnknown(method.invoke(model), path + method.getName().substring(3) + ".", unknown);
            }
        }
    }
}
