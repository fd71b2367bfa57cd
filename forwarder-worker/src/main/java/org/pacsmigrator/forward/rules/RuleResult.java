package org.pacsmigrator.forward.rules;

import java.util.List;

/**
 * The outcome of a rule set on one image: the rules that applied, problems found by validation
 * rules ("rule: problem"), and whether a rejecting rule failed (then the image must not be sent).
 */
public record RuleResult(List<String> appliedRules, List<String> problems, boolean rejected) {
}
