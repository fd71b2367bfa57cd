package org.pacsmigrator.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Serves the web console's static files (from the classpath folder {@code console/}). */
@Path("/")
public final class ConsolePage {
    private static final Map<String, String> TYPES = Map.of("index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8", "console.css", "text/css; charset=utf-8");

    @GET
    public Response index() throws IOException {
        return file("index.html");
    }

    @GET
    @Path("{name: [a-z]+\\.(html|js|css)}")
    public Response file(@PathParam("name") String name) throws IOException {
        String type = TYPES.get(name);
        if (type == null) {
            throw new NotFoundException();
        }
        try (InputStream in = ConsolePage.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new NotFoundException();
            }
            return Response.ok(in.readAllBytes(), type).header("Cache-Control", "no-cache").build();
        }
    }
}
