package org.pacsmigrator.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads YAML text into a tree, rejecting a key given twice in one mapping with both line numbers (Jackson's own
 * duplicate detection names only the second), and turning a syntax error into one line with its position.
 */
final class YamlTree {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {
    }

    /** The key being read, for a syntax error: the last one entered and not yet left. */
    private String at = "";

    /** The first document's root, or null when the text holds none. */
    static JsonNode read(String yaml) {
        YamlTree reader = new YamlTree();
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            return parser.nextToken() == null ? null : reader.value(parser, "");
        } catch (JsonProcessingException e) {
            throw new ConfigException(reader.at.isEmpty() ? null : reader.at, "not valid YAML" + position(e.getLocation()) + ": "
                    + firstLine(e.getOriginalMessage()) + (yaml.contains("${") ? " (inside { } or [ ], quote a ${NAME}: '${NAME}')" : ""));
        } catch (IOException e) {
            throw new ConfigException(null, "not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    private JsonNode value(JsonParser parser, String path) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> mapping(parser, path);
            case START_ARRAY -> sequence(parser, path);
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
            case VALUE_NULL -> NODES.nullNode();
            default -> NODES.pojoNode(parser.getEmbeddedObject());
        };
    }

    private ObjectNode mapping(JsonParser parser, String path) throws IOException {
        ObjectNode node = NODES.objectNode();
        Map<String, Integer> lines = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            String key = path.isEmpty() ? name : path + "." + name;
            int line = parser.currentTokenLocation().getLineNr();
            Integer first = lines.putIfAbsent(name, line);
            if (first != null) {
                throw new ConfigException(key, "given twice, on lines " + first + " and " + line + " (keep one)");
            }
            at = key;
            parser.nextToken();
            node.set(name, value(parser, key));
            at = path;
        }
        return node;
    }

    private ArrayNode sequence(JsonParser parser, String path) throws IOException {
        ArrayNode node = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            at = path + "[" + node.size() + "]";
            node.add(value(parser, at));
            at = path;
        }
        return node;
    }

    private static String position(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String firstLine(String message) {
        String text = message == null ? "unreadable" : message.strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline).strip();
    }
}
