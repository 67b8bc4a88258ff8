package io.palisade.common.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** /q/health/live: the service's background work, as {@link BackgroundWork} watches it. */
@Liveness
@ApplicationScoped
public class BackgroundWorkLiveness implements HealthCheck {

    private final BackgroundWork backgroundWork;

    BackgroundWorkLiveness(BackgroundWork backgroundWork) {
        this.backgroundWork = backgroundWork;
    }

    @Override
    public HealthCheckResponse call() {
        return backgroundWork.check();
    }
}
