package org.pacsmigrator.state;

import java.util.List;

/** UID collisions: one Study or SOP Instance UID used by different patients or objects in the old PACS. */
public interface UidCollisionStore {

    /** Records a UID collision (adds its patients and kept objects to what is known of it). */
    void recordCollision(UidCollision collision);

    /** The UID collisions of a study (the study's own, and its instances'). */
    List<UidCollision> collisionsOf(String studyInstanceUid);

    /** Forgets a collision (resolved, or to be detected again from scratch). */
    void clearCollision(String studyInstanceUid, String sopInstanceUid);
}
