package dev.isthmus.nat;

/**
 * An inclusive range of ports (or ICMP identifiers) of one pool4 entry, {@code "1024-65535"} in
 * the config.
 */
public record PortRange(int first, int last) {
    public static final PortRange ALL = new PortRange(0, 65535);

    /** @throws IllegalArgumentException unless 0 ≤ first ≤ last ≤ 65535 */
    public PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 0-65535");
        }
    }

    /** Parses {@code "a-b"} or a single {@code "a"}. */
    public static PortRange parse(String s) {
        String t = s.strip();
        int dash = t.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(t);
                return new PortRange(p, p);
            }
            return new PortRange(Integer.parseInt(t.substring(0, dash).strip()),
                    Integer.parseInt(t.substring(dash + 1).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port range \"" + s + "\" is not of the form 1024-65535");
        }
    }

    public boolean contains(int p) {
        return p >= first && p <= last;
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
