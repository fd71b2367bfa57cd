package org.pacsmigrator.worker;

/** A running stage of this process (its consumers, and whatever it listens on); closing finishes the study in hand. */
public interface Stage extends AutoCloseable {
    StageWorkers workers();

    @Override
    void close();

    /** Starts a stage; a service starts it once its server runs and closes it when the server stops. */
    @FunctionalInterface
    interface Starter {
        Stage start() throws Exception;
    }
}
