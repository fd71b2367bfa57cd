package org.pacsmigrator.state;

/**
 * The migration's durable state (one Cassandra keyspace per migration), one interface per aggregate so
 * that a worker can ask only for what it uses. Every write is idempotent and no transition regresses a
 * study, so re-delivered messages are harmless.
 */
public interface StateStore extends StudyStore, PatientStore, InstanceStore, UidCollisionStore, IndexDayStore,
        CommitmentStore, StudyStatusStore, StageControlStore, PriorityStore, AutoCloseable {

    /** Throws {@link StateStoreException} when the store cannot be reached (health checks). */
    void ping();

    @Override
    void close();
}
