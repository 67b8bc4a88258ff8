package io.palisade.tenant.proof;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.tenancy.Roles;
import io.smallrye.mutiny.Uni;

/** Machine-readable evidence that the database enforces tenant isolation, computed live. */
@Path("/security/isolation-proof")
public class IsolationProofResource {

    private final IsolationProofService proofs;

    IsolationProofResource(IsolationProofService proofs) {
        this.proofs = proofs;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.OWNER, Roles.ADMIN })
    public Uni<Map<String, Object>> proof() {
        return proofs.prove();
    }
}
