package org.pacsmigrator.migrator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.pacsmigrator.config.MigrationConfig;

/**
 * The run's console, starting on a thread of its own (seconds of Dropwizard start-up) while the migration
 * goes on: it only observes the run, so nothing waits for it. Its address is printed once it is up. Its
 * port was checked by {@link Preflight}; should it fail anyway, the run says so and goes on without it.
 */
final class BackgroundConsole implements AutoCloseable {
    private final CompletableFuture<EmbeddedConsole> starting;

    private BackgroundConsole(CompletableFuture<EmbeddedConsole> starting) {
        this.starting = starting;
    }

    static BackgroundConsole start(MigrationConfig config, MigrationRunner runner, PrometheusMeterRegistry meters,
                                   PrintStream out) {
        // The token itself only on an interactive terminal: not into a file or pipe that the logs share.
        boolean terminal = out == System.out && System.console() != null;
        CompletableFuture<EmbeddedConsole> starting = CompletableFuture.supplyAsync(() -> {
            try {
                EmbeddedConsole console = EmbeddedConsole.start(config, runner, meters);
                if (console != null) {
                    out.println(console.announce(config, terminal));
                }
                return console;
            } catch (Exception e) {
                out.println("Console could not start (" + e.getMessage() + "); the migration goes on without it");
                throw new CompletionException(e);
            }
        });
        return new BackgroundConsole(starting);
    }

    /** The console once it is up, null when it is off or could not start. */
    EmbeddedConsole awaitStarted() {
        try {
            return starting.join();
        } catch (CompletionException e) {
            return null;
        }
    }

    /** Stops the console once it is up: a run that ends first does not leave it serving. */
    @Override
    public void close() throws Exception {
        EmbeddedConsole console = awaitStarted();
        if (console != null) {
            console.close();
        }
    }
}
