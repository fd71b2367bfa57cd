package org.pacsmigrator.console;

import jakarta.ws.rs.DefaultValue;
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
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.topics.StageId;

/**
 * The console's REST API (README "Operations"): progress, studies, failures, replay, pause/resume, control pass,
 * report.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public final class ConsoleResource {
    /** Response header of a study search with more results: the value of {@code page} that gets them. */
    public static final String NEXT_PAGE = "X-Next-Page";
    private final ConsoleBackend backend;
    private final java.nio.file.Path reportDirectory;

    public ConsoleResource(ConsoleBackend backend, java.nio.file.Path reportDirectory) {
        this.backend = backend;
        this.reportDirectory = reportDirectory;
    }

    @GET
    @Path("/progress")
    public ProgressSnapshot progress() {
        return backend.progress();
    }

    @GET
    @Path("/history")
    public List<ProgressSnapshot.HistoryPoint> history(@QueryParam("points") @DefaultValue("720") int points) {
        List<ProgressSnapshot.HistoryPoint> all = backend.history();
        return all.subList(Math.max(0, all.size() - Math.max(1, points)), all.size());
    }

    @GET
    @Path("/studies")
    public Response studies(@QueryParam("q") String q, @QueryParam("state") String state,
                            @QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("page") String page) {
        ConsoleBackend.StudyResults found;
        try {
            found = backend.search(q, state, Math.max(1, Math.min(limit, 1000)), page);
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException("unknown state or page: " + e.getMessage(), 400);
        }
        // the list stays the body; where the next page starts goes in a header
        Response.ResponseBuilder ok = Response.ok(found.studies());
        return found.next() == null ? ok.build() : ok.header(NEXT_PAGE, found.next()).build();
    }

    @GET
    @Path("/studies/{uid}")
    public StudyDetail study(@PathParam("uid") String uid) {
        return backend.study(uid).orElseThrow(() -> new NotFoundException("study " + uid + " is not indexed"));
    }

    @GET
    @Path("/failures")
    public List<FailureGroup> failures() {
        return backend.failures();
    }

    /** Replays the pending dead letters of a stage (retrieve, forward, verify), optionally of one category or study. */
    @POST
    @Path("/replay")
    public Map<String, Object> replay(@QueryParam("stage") String stage, @QueryParam("category") String category,
                                      @QueryParam("study") String study) {
        if (stage == null) {
            throw new WebApplicationException("stage is required (retrieve, forward, verify)", 400);
        }
        Set<String> studies;
        try {
            studies = backend.replay(StageId.parseConsuming(stage), category, study);
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(e.getMessage(), 400);
        }
        return Map.of("replayed", studies.size(), "studies", studies);
    }

    @GET
    @Path("/stages")
    public List<ProgressSnapshot.StageView> stages() {
        return backend.stages();
    }

    @POST
    @Path("/stages/{stage}/pause")
    public ProgressSnapshot.StageView pause(@PathParam("stage") String stage) {
        return setPaused(stage, true);
    }

    @POST
    @Path("/stages/{stage}/resume")
    public ProgressSnapshot.StageView resume(@PathParam("stage") String stage) {
        return setPaused(stage, false);
    }

    private ProgressSnapshot.StageView setPaused(String stage, boolean paused) {
        StageId id;
        try {
            id = StageId.parse(stage);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException(e.getMessage());
        }
        return backend.setPaused(id, paused);
    }

    /** The migration's last control pass, and whether one runs now. */
    @GET
    @Path("/control")
    public ControlView control() {
        return backend.control();
    }

    /**
     * Starts a control pass over the indexed days of [from, to] (default: the configured range) in the background:
     * 202 with the view (running); 409 while a pass runs. Poll {@code GET /api/control} for its result.
     */
    @POST
    @Path("/control")
    public Response startControl(@QueryParam("from") String from, @QueryParam("to") String to) {
        var index = backend.config().index;
        LocalDate f = from == null || from.isBlank() ? index.from : day(from);
        LocalDate t = to == null || to.isBlank() ? index.to : day(to);
        if (f.isAfter(t)) {
            throw new WebApplicationException("from " + f + " is after to " + t, 400);
        }
        try {
            return Response.accepted(backend.startControl(f, t)).build();
        } catch (ConsoleBackend.ControlBusy e) {
            return Response.status(Response.Status.CONFLICT).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                    .entity(e.getMessage() + "\n").build();
        }
    }

    private static LocalDate day(String text) {
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new WebApplicationException("not a date (yyyy-MM-dd): " + text, 400);
        }
    }

    @GET
    @Path("/report.csv")
    @Produces("text/csv")
    public Response reportCsv() throws Exception {
        return download(true);
    }

    @GET
    @Path("/report.html")
    @Produces(MediaType.TEXT_HTML)
    public Response reportHtml() throws Exception {
        return download(false);
    }

    /** The report's CSV or HTML; 503 with the reason when it cannot be written now (outside a PACS's window). */
    private Response download(boolean csv) throws Exception {
        ConsoleBackend.Report report;
        try {
            report = backend.report(reportDirectory);
        } catch (ConsoleBackend.ReportUnavailable e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                    .entity(e.getMessage() + "\n").build();
        }
        java.nio.file.Path file = csv ? report.csv() : report.html();
        // Patient IDs: not to be kept by a shared cache or the browser's cache.
        return Response.ok(Files.readAllBytes(file), csv ? "text/csv" : MediaType.TEXT_HTML)
                .header("Cache-Control", "no-store")
                .header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"").build();
    }
}
