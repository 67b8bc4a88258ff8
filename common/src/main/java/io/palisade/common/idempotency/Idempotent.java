package io.palisade.common.idempotency;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Marks a tenant-scoped mutating endpoint (returning {@code Uni<Response>}) as safe to retry with an
 * {@code Idempotency-Key} header: see {@link IdempotencyInterceptor}.
 */
@InterceptorBinding
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
public @interface Idempotent {
}
