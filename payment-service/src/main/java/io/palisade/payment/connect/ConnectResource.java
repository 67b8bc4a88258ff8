package io.palisade.payment.connect;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.web.ProblemException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The tenant's Stripe account: SETTINGS_MANAGE connects it and sees its state. */
@Path("/stripe/connect")
@Produces(MediaType.APPLICATION_JSON)
public class ConnectResource {

    private final ConnectService connect;

    ConnectResource(ConnectService connect) {
        this.connect = connect;
    }

    @GET
    @PermissionsAllowed("SETTINGS_MANAGE")
    public Uni<ConnectRepository.Connection> current() {
        return connect.current().map(found -> found.orElseThrow(() -> ProblemException.notFound("a connected Stripe account")));
    }

    /** Creates the account on first use and returns a Stripe-hosted onboarding link (single use, minutes). */
    @POST
    @Idempotent
    @PermissionsAllowed("SETTINGS_MANAGE")
    public Uni<ConnectService.Onboarding> connect(@Context HttpServerRequest http) {
        return connect.connect(http.remoteAddress().hostAddress());
    }
}
