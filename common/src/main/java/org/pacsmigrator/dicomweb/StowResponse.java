package org.pacsmigrator.dicomweb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What a STOW-RS answer says of each instance (PS3.18 Store Instances Response Module), in DICOM JSON or
 * Native DICOM Model XML: the instances in ReferencedSOPSequence were stored (with a WarningReason when the
 * archive coerced or discarded something), those in FailedSOPSequence were not (FailureReason). An instance in
 * neither was not confirmed.
 */
record StowResponse(Map<String, Integer> stored, Map<String, Integer> failed) {
    static final String REFERENCED_SOP_SEQUENCE = "00081199";
    static final String FAILED_SOP_SEQUENCE = "00081198";
    static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    static final String WARNING_REASON = "00081196";
    static final String FAILURE_REASON = "00081197";
    /** A failed instance without a FailureReason: "processing failure". */
    static final int PROCESSING_FAILURE = 0x0110;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The answer's instances; empty when the body is none of the two encodings (or empty). */
    static Optional<StowResponse> parse(byte[] body, String contentType) {
        if (body.length == 0) {
            return Optional.empty();
        }
        String type = contentType == null ? "" : contentType.toLowerCase();
        try {
            if (type.contains("xml") || (!type.contains("json") && firstNonSpace(body) == '<')) {
                return Optional.of(xml(body));
            }
            return Optional.of(json(body));
        } catch (IOException | SAXException | ParserConfigurationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static StowResponse json(byte[] body) throws IOException {
        JsonNode root = JSON.readTree(body);
        if (root.isArray() && root.size() == 1) {
            root = root.get(0); // some archives wrap the one data set in an array
        }
        if (!root.isObject()) {
            throw new IOException("not a DICOM JSON data set");
        }
        return new StowResponse(jsonItems(root.path(REFERENCED_SOP_SEQUENCE), WARNING_REASON, 0),
                jsonItems(root.path(FAILED_SOP_SEQUENCE), FAILURE_REASON, PROCESSING_FAILURE));
    }

    private static Map<String, Integer> jsonItems(JsonNode sequence, String reasonTag, int noReason) {
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode item : sequence.path("Value")) {
            String uid = item.path(REFERENCED_SOP_INSTANCE_UID).path("Value").path(0).asText("");
            if (!uid.isEmpty()) {
                JsonNode reason = item.path(reasonTag).path("Value").path(0);
                out.put(uid, reason.isNumber() ? reason.asInt() : noReason);
            }
        }
        return out;
    }

    private static StowResponse xml(byte[] body) throws IOException, SAXException, ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true); // no entities, no XXE
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler()); // throws on fatal errors, prints nothing
        Element root = builder.parse(new ByteArrayInputStream(body)).getDocumentElement();
        return new StowResponse(xmlItems(child(root, REFERENCED_SOP_SEQUENCE), WARNING_REASON, 0),
                xmlItems(child(root, FAILED_SOP_SEQUENCE), FAILURE_REASON, PROCESSING_FAILURE));
    }

    private static Map<String, Integer> xmlItems(Element sequence, String reasonTag, int noReason) {
        Map<String, Integer> out = new HashMap<>();
        if (sequence == null) {
            return out;
        }
        for (Node n = sequence.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element item && "Item".equals(item.getTagName())) {
                String uid = value(child(item, REFERENCED_SOP_INSTANCE_UID));
                if (uid != null) {
                    String reason = value(child(item, reasonTag));
                    out.put(uid, reason == null ? noReason : Integer.parseInt(reason));
                }
            }
        }
        return out;
    }

    /** The DicomAttribute child with {@code tag}, or null. */
    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && "DicomAttribute".equals(e.getTagName()) && tag.equalsIgnoreCase(e.getAttribute("tag"))) {
                return e;
            }
        }
        return null;
    }

    /** The first Value of an attribute, or null. */
    private static String value(Element attribute) {
        if (attribute == null) {
            return null;
        }
        for (Node n = attribute.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && "Value".equals(e.getTagName())) {
                return e.getTextContent().strip();
            }
        }
        return null;
    }

    private static int firstNonSpace(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b;
            }
        }
        return -1;
    }
}
