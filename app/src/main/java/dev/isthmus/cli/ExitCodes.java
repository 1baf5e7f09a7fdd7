package dev.isthmus.cli;

/** Process exit codes, following BSD sysexits.h where one fits. */
final class ExitCodes {
    static final int OK = 0;
    /** A capture file was truncated or corrupt; everything before the bad record was translated. */
    static final int DATA_ERROR = 65;
    /** EX_NOINPUT: an input file, or the queued message named (isthmus smtp flush|delete), does not exist. */
    static final int NO_INPUT = 66;
    /** EX_UNAVAILABLE: the service (the running isthmus) is not there. */
    static final int NOT_RUNNING = 69;
    static final int SOFTWARE = 70;
    static final int IO_ERROR = 74;
    /** EX_NOPERM: root only (the control socket, the lab's namespaces). */
    static final int NO_PERMISSION = 77;
    static final int CONFIG_ERROR = 78;

    private ExitCodes() {}
}
