package io.palisade.common.web;

import jakarta.inject.Singleton;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * How a constraint's message is written out: its parameters filled in ({@code {min}}, {@code {max}}), no expression
 * language, which none of our constraints uses. Quarkus builds the validator with this bean instead of the default
 * interpolator, whose expression engine and message bundles for every locale each start paid for (docs/performance.md).
 */
@Singleton
public class ConstraintMessages extends ParameterMessageInterpolator {
}
