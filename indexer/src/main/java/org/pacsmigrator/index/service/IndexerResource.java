package org.pacsmigrator.index.service;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.ControlReport;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.IndexDayRecord;

/** The indexer's REST API: progress, one day's record, control queries and catch-up on demand. */
@Path("/index")
@Produces(MediaType.APPLICATION_JSON)
public final class IndexerResource {
    private final Indexer indexer;
    private final ControlQuery control;

    public IndexerResource(Indexer indexer, ControlQuery control) {
        this.indexer = indexer;
        this.control = control;
    }

    /** Days done / pending / failed, studies found, queries per minute, last error. */
    @GET
    @Path("/progress")
    public IndexProgress.Snapshot progress() {
        return indexer.progress().snapshot();
    }

    /** A day's record ({@code yyyy-MM-dd} or {@code undated}). */
    @GET
    @Path("/days/{day}")
    public IndexDayRecord day(@PathParam("day") String day) {
        return indexer.stateStore().findIndexDay(parse(day))
                .orElseThrow(() -> new NotFoundException("day " + day + " not indexed"));
    }

    /**
     * Control query of the indexed days in [from, to] (default: the configured range), kept as the migration's
     * last control pass; returns the report.
     */
    @POST
    @Path("/control")
    public ControlReport control(@QueryParam("from") String from, @QueryParam("to") String to) throws InterruptedException {
        LocalDate f = from == null ? indexer.settings().from() : parse(from);
        LocalDate t = to == null ? indexer.settings().to() : parse(to);
        return control.pass(f, t, "indexer service, REST").report();
    }

    /** The migration's last control pass (whoever ran it: this service, the all-in-one run, the console). */
    @GET
    @Path("/control")
    public ControlPassRecord lastControl() {
        return indexer.stateStore().lastControlPass().orElseThrow(() -> new NotFoundException("no control pass yet"));
    }

    /** Catch-up: control query of the last {@code days} days up to today (default: index.catchUpDays or 7). */
    @POST
    @Path("/catch-up")
    public ControlReport catchUp(@QueryParam("days") Integer days) throws InterruptedException {
        int n = days != null ? days : indexer.settings().catchUpDays() > 0 ? indexer.settings().catchUpDays() : 7;
        return control.catchUp(n);
    }

    private static LocalDate parse(String day) {
        if ("undated".equals(day)) {
            return Indexer.UNDATED;
        }
        try {
            return LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            throw new WebApplicationException("not a date (yyyy-MM-dd or 'undated'): " + day, 400);
        }
    }
}
