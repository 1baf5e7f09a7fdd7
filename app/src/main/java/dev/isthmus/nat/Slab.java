package dev.isthmus.nat;

/**
 * Fixed-stride records of ints in pages: record {@code id} occupies ints {@code [id*stride,
 * (id+1)*stride)} of page {@code id >>> PAGE_BITS}. A record's fields share one or two cache
 * lines, and growing adds a page instead of copying (so a table never holds twice the memory it
 * needs while it grows). Freed ids are kept on a free list threaded through field
 * {@code nextField} and reused first. Not thread-safe: the owning {@link Shard} locks.
 */
final class Slab {
    static final int PAGE_BITS = 10;
    static final int PAGE = 1 << PAGE_BITS;

    private final int stride;
    private final int nextField;
    private int[][] pages = new int[4][];
    /** Ids below this have been handed out at least once. */
    private int high;
    private int freeHead = -1;
    private int live;

    Slab(int stride, int nextField) {
        this.stride = stride;
        this.nextField = nextField;
    }

    int get(int id, int field) {
        return pages[id >>> PAGE_BITS][(id & (PAGE - 1)) * stride + field];
    }

    void set(int id, int field, int value) {
        pages[id >>> PAGE_BITS][(id & (PAGE - 1)) * stride + field] = value;
    }

    /** A new record id (its fields hold whatever the last user left: the caller sets them all). */
    int allocate() {
        live++;
        if (freeHead >= 0) {
            int id = freeHead;
            freeHead = get(id, nextField);
            return id;
        }
        int id = high++;
        int p = id >>> PAGE_BITS;
        if (p == pages.length) {
            int[][] bigger = new int[pages.length * 2][];
            System.arraycopy(pages, 0, bigger, 0, pages.length);
            pages = bigger;
        }
        if (pages[p] == null) {
            pages[p] = new int[PAGE * stride];
        }
        return id;
    }

    void free(int id) {
        live--;
        set(id, nextField, freeHead);
        freeHead = id;
    }

    /** Records handed out so far, live or free: the range a sweep walks. */
    int high() {
        return high;
    }

    int live() {
        return live;
    }

    /** Heap held by the pages, for the memory figure. */
    long bytes() {
        long b = 16L + pages.length * 4L;
        for (int[] page : pages) {
            if (page != null) {
                b += 16L + page.length * 4L;
            }
        }
        return b;
    }
}
