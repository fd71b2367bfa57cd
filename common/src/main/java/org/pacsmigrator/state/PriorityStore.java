package org.pacsmigrator.state;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The patients prioritised (worklist, list, "migrate now"), shared by every worker of the migration. */
public interface PriorityStore {

    /**
     * Records that the patient's {@code studyInstanceUids} were put before the bulk now: the first request's source
     * and time are kept, the studies are added to those recorded before (idempotent).
     */
    void recordPriority(String patientId, String source, Set<String> studyInstanceUids);

    Optional<PriorityPatient> findPriorityPatient(String patientId);

    /** Every prioritised patient (a small table: hundreds of rows, not millions). */
    List<PriorityPatient> priorityPatients();
}
