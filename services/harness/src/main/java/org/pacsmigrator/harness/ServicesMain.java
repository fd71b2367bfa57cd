package org.pacsmigrator.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ServicesMain start <baseDir> <envFile> [--exit-with-parent]}: starts all services (test
 * settings), writes their addresses as a shell-sourceable env file and runs until killed; SIGTERM
 * stops the children. With {@code --exit-with-parent} it also stops when the process that started
 * it is gone (scripts/test.sh uses it, so a SIGKILLed test run leaves nothing behind).
 */
public final class ServicesMain {
    private ServicesMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean exitWithParent = args.length == 4 && "--exit-with-parent".equals(args[3]);
        if ((args.length != 3 && !exitWithParent) || !"start".equals(args[0])) {
            System.err.println("usage: ServicesMain start <baseDir> <envFile> [--exit-with-parent]");
            System.exit(2);
        }
        Path baseDir = Path.of(args[1]).toAbsolutePath();
        Path envFile = Path.of(args[2]).toAbsolutePath();
        long started = System.nanoTime();
        Services services;
        try {
            services = Services.start(baseDir, Services.Options.forTests());
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("ServicesMain: stopping");
            services.close();
            System.out.println("ServicesMain: stopped");
        }, "services-stop"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                System.out.println("ServicesMain: parent process " + parent.pid() + " is gone");
                System.exit(0);
            }));
        }
        writeEnvFile(services.toEnvironment(), envFile);
        System.out.printf("ServicesMain: ready in %d ms; Kafka RSS %d MiB, Cassandra RSS %d MiB; env in %s%n",
                (System.nanoTime() - started) / 1_000_000, services.kafka().rssKiB() / 1024,
                services.cassandra().rssKiB() / 1024, envFile);
        new CountDownLatch(1).await();
    }

    /** {@code export K='V'} lines; written to a temp file and moved, so a reader never sees half a file. */
    public static void writeEnvFile(Map<String, String> env, Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        env.forEach((k, v) -> text.append("export ").append(k).append("='")
                .append(v.replace("'", "'\\''")).append("'\n"));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".env", ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
