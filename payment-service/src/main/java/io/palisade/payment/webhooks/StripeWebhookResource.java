package io.palisade.payment.webhooks;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.Logger;

import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Stripe's webhook intake (platform and Connect events). The signature is checked on the raw body before
 * anything is parsed; a verified event is stored once per event id and acknowledged at once. The event worker
 * ({@link StripeEventWorker}) acts on it later, from Stripe's API rather than from the payload.
 */
@Path("/stripe/webhooks")
public class StripeWebhookResource {

    private static final Logger LOG = Logger.getLogger(StripeWebhookResource.class);

    private final WebhookSignature signature;
    private final StripeEventIntake intake;

    StripeWebhookResource(WebhookSignature signature, StripeEventIntake intake) {
        this.signature = signature;
        this.intake = intake;
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> receive(@HeaderParam("Stripe-Signature") String signatureHeader, String body) {
        if (!signature.verifies(body, signatureHeader)) {
            LOG.warn("a Stripe webhook was refused: its signature does not verify (wrong secret, altered body or stale timestamp)");
            throw ProblemException.badRequest("the Stripe-Signature does not verify");
        }
        JsonObject event;
        try {
            event = new JsonObject(body);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("the event is not JSON");
        }
        String id = text(event.getValue("id"));
        String type = text(event.getValue("type"));
        String account = text(event.getValue("account"));
        Object data = event.getValue("data");
        Object object = data instanceof JsonObject d ? d.getValue("object") : null;
        String objectId = object instanceof JsonObject o ? text(o.getValue("id")) : null;
        if (id == null || !id.startsWith("evt_") || type == null) {
            throw ProblemException.badRequest("the event has no id or type");
        }
        return intake.record(id, account, type, objectId, event).map(fresh -> Map.of("received", true, "duplicate", !fresh));
    }
}
