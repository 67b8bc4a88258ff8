package io.palisade.devstack.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.POST;

import io.quarkus.arc.Arc;

/**
 * Run inside a service's tests: every POST endpoint of the service's beans ("Resource.method") and those that
 * are not marked with the idempotency annotation, so each service proves that every mutating POST honours
 * Idempotency-Key unless it is deliberately exempt.
 */
public final class IdempotencyCoverage {

    private IdempotencyCoverage() {
    }

    public record Report(Set<String> posts, Set<String> notIdempotent) {

        /** POST methods without the annotation that are not named exempt. */
        public Set<String> missing(Set<String> exempt) {
            Set<String> missing = new TreeSet<>(notIdempotent);
            missing.removeAll(exempt);
            return missing;
        }

        /** Exemptions that name no POST method (any more). */
        public Set<String> staleExemptions(Set<String> exempt) {
            Set<String> stale = new TreeSet<>(exempt);
            stale.removeAll(posts);
            return stale;
        }
    }

    public static Report of(Class<? extends Annotation> idempotent) {
        Set<String> posts = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            if (!type.getName().startsWith("io.palisade.")) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(POST.class)) {
                    String name = type.getSimpleName() + "." + method.getName();
                    posts.add(name);
                    if (!method.isAnnotationPresent(idempotent) && !type.isAnnotationPresent(idempotent)) {
                        missing.add(name);
                    }
                }
            }
        }
        return new Report(posts, missing);
    }
}
