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
 * <p>A forward failure whose cure is a new retrieval ({@link #RETRIEVE_AGAIN}: the forwarder
 * removed a corrupt cache object, or it was missing) goes to the retrieve stage instead, which
 * fetches what is not in the cache from the old PACS again.
 */
public final class StageReplay {
    private static final Logger LOG = LoggerFactory.getLogger(StageReplay.class);
    /** Forward-stage categories replayed into the retrieve stage. */
    public static final Set<String> RETRIEVE_AGAIN = Set.of("cache object corrupt", "cache object missing");

    /** A stage whose dead letters can be replayed: its name, input topic and the state it starts from. */
    public enum Stage {
        RETRIEVE(StudyState.INDEXED), FORWARD(StudyState.RETRIEVED), VERIFY(StudyState.FORWARDED);

        private final StudyState input;

        Stage(StudyState input) {
            this.input = input;
        }

        public StudyState inputState() {
            return input;
        }

        public String inputTopic(Topics topics) {
            return switch (this) {
                case RETRIEVE -> topics.indexed();
                case FORWARD -> topics.retrieved();
                case VERIFY -> topics.forwarded();
            };
        }

        public static Stage parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "retrieve", "retriever" -> RETRIEVE;
                case "forward", "forwarder" -> FORWARD;
                case "verify", "verifier" -> VERIFY;
                default -> throw new IllegalArgumentException("unknown stage '" + s + "' (retrieve, forward, verify)");
            };
        }
    }

    /** What to replay: empty sets mean "any" (both empty: every pending dead letter). */
    public record Selection(Set<String> categories, Set<String> studies) {
        public static Selection all() {
            return new Selection(Set.of(), Set.of());
        }

        boolean accepts(DeadLetters.DeadLetter letter) {
            String study = letter.event() != null ? letter.event().studyInstanceUid() : letter.key();
            return (categories.isEmpty() || categories.contains(letter.category()))
                    && (studies.isEmpty() || studies.contains(study));
        }
    }

    private StageReplay() {
    }

    /** Replays the selected letters of each stage; returns the study UIDs replayed per stage. */
    public static Map<Stage, Set<String>> replay(KafkaSettings kafka, StudyStore state, Topics topics,
                                                 List<Stage> stages, Selection selection) {
        Map<Stage, Set<String>> out = new LinkedHashMap<>();
        for (Stage stage : stages) {
            Set<String> replayed = new LinkedHashSet<>();
            String dlq = Topics.deadLetterOf(stage.inputTopic(topics));
            int moved = DeadLetters.reroute(kafka, dlq, letter -> {
                if (!selection.accepts(letter)) {
                    return null;
                }
                Stage into = stage == Stage.FORWARD && RETRIEVE_AGAIN.contains(letter.category()) ? Stage.RETRIEVE : stage;
                String study = letter.event() != null ? letter.event().studyInstanceUid() : letter.key();
                if (study != null && replayed.add(study)) {
                    if (state.transition(study, into.inputState(), StudyState.FAILED)) {
                        LOG.info("study {} reset from FAILED to {} for replay ({} stage)", study, into.inputState(),
                                into.name().toLowerCase(java.util.Locale.ROOT));
                    }
                }
                return into.inputTopic(topics);
            });
            LOG.info("replayed {} dead letters of {} ({} studies)", moved, dlq, replayed.size());
            out.put(stage, replayed);
        }
        return out;
    }
}
