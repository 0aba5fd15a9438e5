package dev.jetway.bench.report;

/**
 * Turns the small Markdown subset {@link MarkdownReport} writes (headings, pipe tables, paragraphs) into HTML, so
 * the HTML report shows exactly the same tables.
 */
final class MarkdownTables {

    private MarkdownTables() {
    }

    static String toHtml(String markdown) {
        StringBuilder html = new StringBuilder();
        boolean inTable = false;
        boolean header = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("|")) {
                if (line.startsWith("|---") || line.startsWith("|:--")) {
                    continue;
                }
                if (!inTable) {
                    html.append("<table>\n");
                    inTable = true;
                    header = true;
                }
                String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", -1);
                html.append("<tr>");
                for (String cell : cells) {
                    String tag = header ? "th" : "td";
                    html.append('<').append(tag).append('>').append(HtmlReport.escape(cell.trim())).append("</")
                            .append(tag).append('>');
                }
                html.append("</tr>\n");
                header = false;
                continue;
            }
            if (inTable) {
                html.append("</table>\n");
                inTable = false;
            }
            if (line.startsWith("### ")) {
                html.append("<h3>").append(HtmlReport.escape(line.substring(4))).append("</h3>\n");
            } else if (line.startsWith("## ")) {
                html.append("<h2>").append(HtmlReport.escape(line.substring(3))).append("</h2>\n");
            } else if (!line.isBlank()) {
                html.append("<p>").append(HtmlReport.escape(line)).append("</p>\n");
            }
        }
        if (inTable) {
            html.append("</table>\n");
        }
        return html.toString();
    }
}
