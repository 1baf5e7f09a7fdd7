package dev.isthmus.alg.turn;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One attribute as it is on the wire (RFC 8489 §14): its 16-bit type and its value without the
 * padding. Equal when type and bytes are equal.
 */
public record StunAttribute(int type, byte[] value) {
    public StunAttribute {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value's length in bytes (without padding). */
    public int length() {
        return value.length;
    }

    /** The value without a copy, for the codec's own reading. */
    byte[] bytes() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return StunAttributeType.name(type) + "(" + HexFormat.of().formatHex(value) + ")";
    }
}
