package io.palisade.audit.checkpoints;

import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

/**
 * The tenant's signed checkpoints, for keeping outside Palisade, and the public keys that verify them. With both,
 * an export of the tenant's entries can be checked by anyone: recompute the chain, compare each checkpoint's hash
 * with the entry at its position, verify its signature.
 */
@Path("/audit")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {

    private final CheckpointService checkpoints;
    private final CheckpointKeys keys;

    CheckpointResource(CheckpointService checkpoints, CheckpointKeys keys) {
        this.checkpoints = checkpoints;
        this.keys = keys;
    }

    @GET
    @Path("checkpoints")
    @PermissionsAllowed("AUDIT_READ")
    public Uni<List<CheckpointRepository.Checkpoint>> list(@QueryParam("afterSeq") @DefaultValue("0") @Min(0) long afterSeq,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return checkpoints.list(afterSeq, limit);
    }

    /** Public: a verifier needs the keys, and they reveal nothing (the statement format is in docs/audit.md). */
    @GET
    @Path("checkpoint-keys")
    @PermitAll
    public List<CheckpointKeys.PublicKey> publicKeys() {
        return keys.publicKeys();
    }
}
