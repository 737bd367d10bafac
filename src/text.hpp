// Private to dcplan_core and the command line: escaping text for the formats dcplan writes.
//
// Every string that comes from a scenario, a gates file or a file name is untrusted: it may hold
// control characters that drive a terminal or forge CI annotations, markdown that breaks out of
// a table, or markup. Each output escapes it for its own format here, in one place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan::text {

//! & < > " ' escaped for XML and HTML text and attributes; characters XML 1.0 forbids (C0
//! controls other than tab, newline, return; invalid UTF-8) become U+FFFD, so the document
//! stays well-formed whatever the text holds.
[[nodiscard]] std::string xml_escape(std::string_view s);

//! The inverse of xml_escape for what it writes: &amp; &lt; &gt; &quot; and numeric
//! references of ASCII characters; anything else is kept as it is.
[[nodiscard]] std::string xml_unescape(std::string_view s);

//! The pieces of `s` between separators: "a:b:" → {"a", "b", ""}; "" → {""}.
[[nodiscard]] std::vector<std::string> split(std::string_view s, char separator);

//! At most 40 characters of input quoted in a message (control characters as spaces, "..."
//! when cut): a scenario can neither flood a message nor show much of another file.
[[nodiscard]] std::string excerpt(std::string_view s);

//! Parses the whole of `s` as a finite decimal number (leading and trailing spaces allowed).
//! Unlike std::stod it accepts subnormal values and never throws; false when `s` is not one
//! number or overflows.
[[nodiscard]] bool parse_double(std::string_view s, double& out);

//! " \ and control characters escaped for a JSON string.
[[nodiscard]] std::string json_escape(std::string_view s);

//! Text safe to print on a terminal or in a CI log: C0 and C1 controls, DEL, bidirectional
//! overrides and invalid UTF-8 bytes are written as visible escapes (\n, \x1b, \u202e), so
//! input can neither move the cursor nor start a line of its own ("::error::", a fake PASS).
//! Longer than `max_chars` characters: cut, with "..." appended (0: no limit).
[[nodiscard]] std::string terminal_safe(std::string_view s, std::size_t max_chars = 0);

//! Text for a markdown table cell or paragraph: terminal_safe, then every character markdown
//! or HTML gives a meaning to (\ ` * _ [ ] < > | ! # ~ & and others) backslash-escaped or
//! written as an entity, bounded to `max_chars` characters.
[[nodiscard]] std::string md_escape(std::string_view s, std::size_t max_chars = 200);

//! A markdown code span holding `s` verbatim (terminal_safe, bounded): the fence is one
//! backtick longer than the longest run inside, so the text cannot close it early; a `|` is
//! written as an entity-free `\|` only where the span sits in a table (`in_table`).
[[nodiscard]] std::string md_code(std::string_view s, bool in_table, std::size_t max_chars = 200);

}  // namespace dcplan::text
