package org.pacsmigrator.forward.rules;

import java.util.List;

/** Rules for tests that break the forwarder as a bug would (the rule types themselves are package-private). */
public final class FailingRules {
    private FailingRules() {
    }

    /** One rule for every image that throws {@code error} instead of checking or changing anything. */
    public static RuleSet throwing(Error error) {
        Action crash = (dataset, context) -> {
            throw error;
        };
        return new RuleSet(List.of(new Rule("crash", Condition.ALWAYS, crash, false, false)));
    }
}
