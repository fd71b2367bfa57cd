package org.pacsmigrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.UndefinedEnvironmentVariableException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} in the text values of a parsed config (Dropwizard's substitutor, strict:
 * {@code ${NAME:-default}} gives a default, {@code $${NAME}} stays literal text). Done after parsing, a variable's
 * value is always the text of that one value: a "#" in it is no comment, ", key: value" adds no key. Keys and
 * comments are never substituted, and a value is never substituted again (a secret may contain "${").
 */
final class EnvironmentSubstitution {
    private final Function<String, String> environment;

    EnvironmentSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Substitutes every text value below {@code node} in place. */
    void apply(JsonNode node, String path) {
        if (node instanceof ObjectNode mapping) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = mapping.properties().iterator(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(value(key, field.getValue().textValue())));
                } else {
                    apply(field.getValue(), key);
                }
            }
        } else if (node instanceof ArrayNode sequence) {
            for (int i = 0; i < sequence.size(); i++) {
                String key = path + "[" + i + "]";
                if (sequence.get(i).isTextual()) {
                    sequence.set(i, TextNode.valueOf(value(key, sequence.get(i).textValue())));
                } else {
                    apply(sequence.get(i), key);
                }
            }
        }
    }

    /** One text value with its variables replaced; {@code key} names it in the error of an unset variable. */
    String value(String key, String text) {
        if (!text.contains("${")) {
            return text;
        }
        String[] unresolved = {null};
        EnvironmentVariableSubstitutor substitutor = new EnvironmentVariableSubstitutor(true, false);
        substitutor.setVariableResolver(name -> {
            String value = environment.apply(name);
            if (value == null) {
                unresolved[0] = name; // the substitutor throws right after an unresolved name without a default
            }
            return value;
        });
        substitutor.setDisableSubstitutionInValues(true);
        try {
            return substitutor.replace(text);
        } catch (UndefinedEnvironmentVariableException e) {
            throw new ConfigException(key, "environment variable " + unresolved[0] + " is not set (named as ${"
                    + unresolved[0] + "})");
        }
    }
}
