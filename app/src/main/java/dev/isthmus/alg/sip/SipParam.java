package dev.isthmus.alg.sip;

/**
 * One {@code ;name[=value]} parameter of a URI or header value, as written: {@code value} is null
 * for a parameter without {@code =} (RFC 3261 §25.1 {@code generic-param}, RFC 3581 {@code rport}).
 * Names compare case-insensitively (§19.1.4, §7.3.1).
 */
public record SipParam(String name, String value) {
    /** Whether this parameter is {@code name}, ignoring case. */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The value of parameter {@code name} in {@code params} (case-insensitive), "" for one without a value, null when absent. */
    static String find(java.util.List<SipParam> params, String name) {
        for (SipParam p : params) {
            if (p.is(name)) {
                return p.value == null ? "" : p.value;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return value == null ? name : name + "=" + value;
    }
}
