package org.pacsmigrator.forward.rules;

import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.dicom.EditableDataset;

/**
 * The configured rules, applied to each image in order. Validation rules run on the image as it is
 * at their position, so put them first to check the original, or after modifications to check the
 * result. The changes themselves are recorded by the {@link EditableDataset}.
 */
public final class RuleSet {
    public static final RuleSet EMPTY = new RuleSet(List.of());

    private final List<Rule> rules;

    RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public int size() {
        return rules.size();
    }

    /** True when some rule is meant for studies with a patient ID conflict. */
    public boolean hasPatientIdConflictRules() {
        return rules.stream().anyMatch(Rule::onPatientIdConflictOnly);
    }

    public RuleResult apply(EditableDataset dataset, RuleContext context) {
        List<String> applied = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean rejected = false;
        for (Rule rule : rules) {
            if (!rule.appliesTo(dataset, context)) {
                continue;
            }
            applied.add(rule.name());
            for (String problem : rule.action().apply(dataset, context)) {
                problems.add(rule.name() + ": " + problem);
                rejected |= rule.rejectOnProblem();
            }
            if (rejected) {
                break; // a rejected image is not sent: later rules would only add noise
            }
        }
        return new RuleResult(applied, problems, rejected);
    }
}
