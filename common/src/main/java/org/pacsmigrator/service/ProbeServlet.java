package org.pacsmigrator.service;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;

/** A Kubernetes probe: 200 when the state is good, 503 otherwise, with a one-line JSON reason. */
final class ProbeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** The outcome of a probe; {@code detail} is a JSON object. */
    record Outcome(boolean ok, String detail) {
    }

    private final transient Supplier<Outcome> probe;

    ProbeServlet(Supplier<Outcome> probe) {
        this.probe = probe;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Outcome outcome = probe.get();
        resp.setStatus(outcome.ok() ? 200 : 503);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
        resp.getWriter().write(outcome.detail());
    }
}
