package dev.isthmus.e2e;

/**
 * {@link TranslationE2E}'s tests with {@code dataplane.offload = false}: without the virtio-net
 * header every TCP segment crosses the TUN at MTU size and checksums arrive complete, a different
 * path through the data plane.
 */
class TranslationNoOffloadE2E extends TranslationE2E {
    @Override
    boolean offload() {
        return false;
    }
}
