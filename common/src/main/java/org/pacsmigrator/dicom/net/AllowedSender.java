package org.pacsmigrator.dicom.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may open an association to a listener: a calling AE title ({@code *} for any), optionally from a host
 * or network only: {@code AE}, {@code AE@host}, {@code AE@10.1.0.0/16}. Host names are resolved once, at start.
 */
public record AllowedSender(String aeTitle, byte[] network, int prefixLength) {

    /** Parses one entry; throws IllegalArgumentException naming what is wrong. */
    public static AllowedSender parse(String entry) {
        String s = entry == null ? "" : entry.trim();
        int at = s.indexOf('@');
        String ae = at < 0 ? s : s.substring(0, at).trim();
        if (ae.isEmpty() || ae.length() > 16) {
            throw new IllegalArgumentException("'" + entry + "': an AE title of 1 to 16 characters (or *) comes first");
        }
        if (at < 0) {
            return new AllowedSender(ae, null, 0);
        }
        String where = s.substring(at + 1).trim();
        int slash = where.indexOf('/');
        String host = slash < 0 ? where : where.substring(0, slash);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + entry + "': host " + host + " cannot be resolved");
        }
        byte[] bytes = address.getAddress();
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(where.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("'" + entry + "': the prefix length after / must be 0 to " + bytes.length * 8);
            }
        }
        return new AllowedSender(ae, bytes, prefix);
    }

    public static List<AllowedSender> parseAll(List<String> entries) {
        List<AllowedSender> list = new ArrayList<>();
        for (String e : entries) {
            list.add(parse(e));
        }
        return List.copyOf(list);
    }

    public boolean allows(String callingAeTitle, InetAddress from) {
        if (!aeTitle.equals("*") && !aeTitle.equals(callingAeTitle)) {
            return false;
        }
        return network == null || inNetwork(from.getAddress());
    }

    private boolean inNetwork(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
