package org.pacsmigrator.topics;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends chosen dead letters of a stage back to the stage's input topic ({@link DeadLetters#reroute})
 * and resets each replayed study from FAILED to the state that stage starts from, so that the
 * stage (and the completion check) treat it as pending again. The reset happens before the
 * letter is republished; a study that is not FAILED any more is left as it is.
 *
 * <p>A letter goes to its stage's {@link StageId#replayTarget replay target}: a forward failure whose
 * cure is a new retrieval goes to the retrieve stage, which fetches what is not in the cache from the
 * old PACS again. A priority event goes to that stage's priority lane, a bulk one to its topic.
 */
public final class StageReplay {
    private static final Logger LOG = LoggerFactory.getLogger(StageReplay.class);

    /** What to replay: empty sets mean "any" (both empty: every pending dead letter). */
    public record Selection(Set<String> categories, Set<String> studies) {
        public static Selection all() {
            return new Selection(Set.of(), Set.of());
        }

        boolean accepts(DeadLetters.DeadLetter letter) {
            return (categories.isEmpty() || categories.contains(letter.category()))
                    && (studies.isEmpty() || studies.contains(letter.study()));
        }
    }

    private StageReplay() {
    }

    /** Replays the selected letters of each stage; returns the study UIDs replayed per stage. */
    public static Map<StageId, Set<String>> replay(KafkaSettings kafka, StudyStore state, Topics topics,
                                                   List<StageId> stages, Selection selection) {
        Map<StageId, Set<String>> out = new LinkedHashMap<>();
        for (StageId stage : stages) {
            Set<String> replayed = new LinkedHashSet<>();
            String dlq = stage.deadLetterTopic(topics);
            int moved = DeadLetters.reroute(kafka, dlq, letter -> {
                if (!selection.accepts(letter)) {
                    return null;
                }
                StageId into = stage.replayTarget(letter.category());
                String study = letter.study();
                if (study != null && replayed.add(study)) {
                    if (state.transition(study, into.inputState(), StudyState.FAILED)) {
                        LOG.info("study {} reset from FAILED to {} for replay ({} stage)", study, into.inputState(),
                                into.label());
                    }
                }
                // a prioritised patient's study goes back to the priority lane it failed on
                return letter.event() == null ? into.inputTopic(topics) : Topics.lane(into.inputTopic(topics), letter.event());
            });
            LOG.info("replayed {} dead letters of {} ({} studies)", moved, dlq, replayed.size());
            out.put(stage, replayed);
        }
        return out;
    }
}
