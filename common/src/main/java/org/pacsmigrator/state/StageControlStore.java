package org.pacsmigrator.state;

import java.util.Map;

/** Pause and resume of each stage, shared by every worker of the migration (set from the console). */
public interface StageControlStore {

    /** Pauses or resumes a stage ("index", "retrieve", "forward", "verify") for every worker of the migration. */
    void setStagePaused(String stage, boolean paused);

    /** The stages ever paused or resumed, and whether they are paused now. */
    Map<String, Boolean> stagePauses();
}
