package io.palisade.common.tracing;

import java.util.HashMap;
import java.util.Map;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The W3C traceparent that carries one trace across Palisade's asynchronous hops (docs/operations.md): set in every
 * scoped transaction (so each outbox row keeps the trace of the change that wrote it), sent as the CloudEvents
 * distributed-tracing extension, and the parent of the consumer's and the webhook delivery's spans.
 */
public final class TraceContext {

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceContext() {
    }

    /** The current span's traceparent, or "" when nothing is traced (tracing off, or no span). */
    public static String current() {
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(Context.current(), carrier, Map::put);
        return carrier.getOrDefault("traceparent", "");
    }

    /** A parent context from a stored traceparent; the root context when there is none or it does not parse. */
    public static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return Context.root();
        }
        return W3C.extract(Context.root(), Map.of("traceparent", traceparent), MAP);
    }
}
