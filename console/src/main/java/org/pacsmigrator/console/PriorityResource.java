package org.pacsmigrator.console;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.priority.PriorityRequest;

/**
 * Clinical priority in the console's API (README "Clinical priority"): the queue, "migrate this patient now", and a
 * list of PatientIDs or accession numbers. Behind the console's token like every {@code /api} path.
 */
@Path("/api/priority")
@Produces(MediaType.APPLICATION_JSON)
public final class PriorityResource {
    /** The body of a list request. */
    public record ListRequest(List<String> patientIds, List<String> accessionNumbers) {
    }

    private final PriorityQueue queue;

    public PriorityResource(PriorityQueue queue) {
        this.queue = queue;
    }

    @GET
    public List<PriorityView> patients() {
        return queue.patients();
    }

    @GET
    @Path("/{patientId}")
    public PriorityView patient(@PathParam("patientId") String patientId) {
        return queue.patient(patientId).orElseThrow(() -> new NotFoundException("this patient is not prioritised"));
    }

    /** "Migrate this patient now": 202, the patient's studies are indexed if need be and put first in the background. */
    @POST
    @Path("/now")
    public Response now(@QueryParam("patient") String patientId) {
        return accepted(List.of(request(PriorityRequest.Key.PATIENT_ID, patientId, "now")));
    }

    /** A list of PatientIDs and/or accession numbers, put first in the background (202). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response list(ListRequest body) {
        List<PriorityRequest> requests = new ArrayList<>();
        if (body != null && body.patientIds() != null) {
            body.patientIds().forEach(id -> requests.add(request(PriorityRequest.Key.PATIENT_ID, id, "api")));
        }
        if (body != null && body.accessionNumbers() != null) {
            body.accessionNumbers().forEach(a -> requests.add(request(PriorityRequest.Key.ACCESSION_NUMBER, a, "api")));
        }
        if (requests.isEmpty()) {
            throw new WebApplicationException("send {\"patientIds\": [...]} and/or {\"accessionNumbers\": [...]}", 400);
        }
        return accepted(requests);
    }

    private Response accepted(List<PriorityRequest> requests) {
        queue.request(requests);
        return Response.accepted(Map.of("queued", requests.size())).build();
    }

    private static PriorityRequest request(PriorityRequest.Key key, String value, String source) {
        try {
            return new PriorityRequest(key, value, source);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WebApplicationException("not a PatientID or accession number: 1-64 characters without backslash", 400);
        }
    }
}
