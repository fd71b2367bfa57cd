package org.pacsmigrator.harness;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Entry point of a child JVM: {@code ChildMain <parentPid> <mainClass> <args...>}. Exits the child
 * (running its shutdown hooks) when the parent process is gone, so servers do not outlive a test
 * JVM that was killed. Needs nothing but the JDK: it runs on the server's own classpath.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        long parentPid = Long.parseLong(args[0]);
        Thread watchdog = new Thread(() -> {
            ProcessHandle.of(parentPid).ifPresent(parent -> parent.onExit().join());
            System.err.println("ChildMain: parent process " + parentPid + " is gone, exiting");
            Thread halter = new Thread(() -> {
                sleep(60_000);
                Runtime.getRuntime().halt(1);
            });
            halter.setDaemon(true);
            halter.start();
            System.exit(1);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[1]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
