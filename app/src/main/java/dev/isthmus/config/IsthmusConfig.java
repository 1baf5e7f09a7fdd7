package dev.isthmus.config;

/**
 * A whole validated config file. One component per top-level section; a section that is absent
 * from the file is null. Sections for the other mechanisms (nat64, dns64, …) are added here as
 * they are built, each with its own reader beside {@link SiitSection}.
 *
 * @param siit the {@code [siit]} section, or null when the file has none
 */
public record IsthmusConfig(SiitConfig siit) {

    /** The effective configuration as TOML, defaults filled in (for {@code show config}). */
    public String render() {
        StringBuilder sb = new StringBuilder("# effective configuration, defaults filled in\n");
        if (siit != null) {
            sb.append('\n').append(siit.render());
        }
        return sb.toString();
    }
}
