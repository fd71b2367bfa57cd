package org.pacsmigrator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * "expected ..., found ..." for a value of the config that does not fit its key, in the user's words: what the
 * key takes is read from the config class's field at the error's path, never from Jackson's message (which names
 * Java types such as {@code MigrationConfig$Pacs} or {@code java.time.LocalDate}).
 */
final class ValueMismatch {
    private ValueMismatch() {
    }

    static String describe(JsonMappingException e, JsonNode root) {
        Type type = MigrationConfig.class;
        JsonNode found = root;
        for (JsonMappingException.Reference step : e.getPath()) {
            type = step.getFieldName() != null ? fieldType(type, step.getFieldName()) : elementType(type);
            found = found == null ? null : step.getFieldName() != null ? found.get(step.getFieldName()) : found.get(step.getIndex());
        }
        return "expected " + (type == null ? "another value" : expected(type)) + ", found " + found(found);
    }

    private static Type fieldType(Type owner, String name) {
        try {
            return owner instanceof Class<?> c ? c.getField(name).getGenericType() : null;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static Type elementType(Type list) {
        return list instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : null;
    }

    static String expected(Type type) {
        Class<?> c = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (c == int.class || c == Integer.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        } else if (c == long.class || c == Long.class) {
            return "a whole number";
        } else if (c == double.class || c == Double.class) {
            return "a number";
        } else if (c == boolean.class || c == Boolean.class) {
            return "true or false";
        } else if (c == String.class) {
            return "text";
        } else if (c == LocalDate.class) {
            return "a date (yyyy-MM-dd)";
        } else if (c.isEnum()) {
            return "one of " + Arrays.stream(c.getEnumConstants()).map(ValueMismatch::yamlName).collect(Collectors.joining(", "));
        } else if (Collection.class.isAssignableFrom(c)) {
            return "a list";
        } else if (Map.class.isAssignableFrom(c)) {
            return "a mapping of keys to values";
        }
        return "a mapping with the keys " + Arrays.stream(c.getFields()).filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName).collect(Collectors.joining(", "));
    }

    private static String yamlName(Object constant) {
        try {
            JsonProperty name = ((Enum<?>) constant).getDeclaringClass().getField(((Enum<?>) constant).name())
                    .getAnnotation(JsonProperty.class);
            return name == null ? ((Enum<?>) constant).name() : name.value();
        } catch (NoSuchFieldException e) {
            return ((Enum<?>) constant).name();
        }
    }

    static String found(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        } else if (node.isObject()) {
            return "a mapping (" + String.join(", ", (Iterable<String>) node::fieldNames) + ")";
        } else if (node.isArray()) {
            return "a list";
        } else if (node.isTextual()) {
            return "'" + node.textValue() + "'";
        }
        return node.asText();
    }
}
