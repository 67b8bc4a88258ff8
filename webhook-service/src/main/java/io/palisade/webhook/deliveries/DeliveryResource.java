package io.palisade.webhook.deliveries;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.web.Page;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** An endpoint's delivery log (attempts, status, latency, truncated answers) and manual replays, for WEBHOOKS_MANAGE. */
@Path("/webhooks")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@PermissionsAllowed("WEBHOOKS_MANAGE")
public class DeliveryResource {

    public record ReplaySince(@NotNull OffsetDateTime since) {
    }

    private final DeliveryService deliveries;

    DeliveryResource(DeliveryService deliveries) {
        this.deliveries = deliveries;
    }

    @GET
    @Path("endpoints/{endpointId}/deliveries")
    public Uni<Page<DeliveryRepository.Delivery>> list(@PathParam("endpointId") UUID endpointId, @QueryParam("status") String status,
            @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return deliveries.list(endpointId, status, cursor, limit);
    }

    @GET
    @Path("endpoints/{endpointId}/deliveries/{deliveryId}/attempts")
    public Uni<List<DeliveryRepository.Attempt>> attempts(@PathParam("endpointId") UUID endpointId, @PathParam("deliveryId") UUID deliveryId) {
        return deliveries.attempts(endpointId, deliveryId);
    }

    /** Sends one message again (any state), from now on the schedule. */
    @POST
    @Path("endpoints/{endpointId}/deliveries/{deliveryId}/replay")
    @Idempotent
    public Uni<Response> replay(@PathParam("endpointId") UUID endpointId, @PathParam("deliveryId") UUID deliveryId, @Context HttpServerRequest http) {
        return deliveries.replay(endpointId, deliveryId, http.remoteAddress().hostAddress()).map(d -> Response.accepted(d).build());
    }

    /** Sends every failed delivery of the endpoint made since the given time again. */
    @POST
    @Path("endpoints/{endpointId}/replay")
    @Idempotent
    public Uni<Response> replayFailed(@PathParam("endpointId") UUID endpointId, @Valid @NotNull ReplaySince request, @Context HttpServerRequest http) {
        return deliveries.replayFailedSince(endpointId, request.since(), http.remoteAddress().hostAddress())
                .map(count -> Response.accepted(Map.of("replayed", count)).build());
    }
}
