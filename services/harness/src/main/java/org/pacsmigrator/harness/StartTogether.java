package org.pacsmigrator.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Starts services at the same time, each on its own thread (the common pool has a single worker
 * on 2 cores, which would serialize them), and {@link #await}s them all: if one fails, those that
 * did start are closed and the first failure is thrown.
 */
public final class StartTogether {
    private static final Executor THREAD_PER_TASK = task -> {
        Thread thread = new Thread(task, "services");
        thread.setDaemon(true);
        thread.start();
    };

    private final List<CompletableFuture<? extends AutoCloseable>> starting = new ArrayList<>();

    public <T extends AutoCloseable> CompletableFuture<T> start(Supplier<T> start) {
        CompletableFuture<T> future = CompletableFuture.supplyAsync(start, THREAD_PER_TASK);
        starting.add(future);
        return future;
    }

    public void await() {
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            starting.forEach(f -> f.thenAccept(StartTogether::closeQuietly));
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Closes them all at the same time and waits; a failure to close one is printed, not thrown. */
    static void closeAll(AutoCloseable... closeables) {
        CompletableFuture.allOf(Arrays.stream(closeables)
                .map(c -> CompletableFuture.runAsync(() -> closeQuietly(c), THREAD_PER_TASK))
                .toArray(CompletableFuture[]::new)).join();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("stopping " + closeable + " failed: " + e);
        }
    }
}
