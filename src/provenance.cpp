// Provenance records: written into every output (dcplan/provenance.hpp lists where) and read
// back by `dcplan verify`, which compares a file's record with the scenario and binary at hand
// (docs/provenance.md).
//
// Why reading is strict: an output carries texts a scenario wrote (its title, region names,
// target names), and a hostile scenario could write a fake record into them ("dcplan 9.9.9
// (commit ...)") so that verify would vouch for an output that the scenario did not produce.
// Records are therefore read only from the one place each format puts them, never searched for
// in free text, and in HTML and markdown the record's JSON has < > & escaped, so no escaped
// scenario text can open, close or imitate the element that holds it.
#include "dcplan/provenance.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "dcplan/build_info.hpp"
#include "text.hpp"

namespace dcplan {

using json = nlohmann::json;

namespace {

// The record's element in markdown (an HTML comment: invisible when rendered) and in HTML (a
// JSON data block: never executed, invisible, and readable by a script).
constexpr const char* kMdRecordOpen = "<!-- dcplan-provenance ";
constexpr const char* kMdRecordClose = " -->";
constexpr const char* kHtmlRecordOpen =
    "<script type=\"application/json\" id=\"dcplan-provenance\">";
constexpr const char* kHtmlRecordClose = "</script>";

//! Now, or SOURCE_DATE_EPOCH (seconds since 1970, UTC) when it is set and valid.
//! SOURCE_DATE_EPOCH (reproducible-builds.org) lets a build or a test produce byte-identical
//! outputs; a value that is not a whole non-negative number is ignored: the time is then now.
std::string utc_now() {
  std::time_t t = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const long long v = std::strtoll(epoch, &end, 10);
    if (end != nullptr && *end == '\0' && v >= 0) t = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

//! A record from its JSON object: "dcplan" (the version) must be a string, or it is not a
//! record; other members are read when they have the expected type and left empty otherwise.
std::optional<Provenance> from_json(const json& m) {
  if (!m.is_object() || !m.contains("dcplan") || !m["dcplan"].is_string()) return std::nullopt;
  Provenance p;
  auto str = [&](const char* key) {
    return m.contains(key) && m[key].is_string() ? m[key].get<std::string>() : std::string();
  };
  p.version = str("dcplan");
  p.commit = str("commit");
  p.command = str("command");
  p.scenario_sha256 = str("scenario_sha256");
  p.time = str("time");
  if (m.contains("seed") && m["seed"].is_number_unsigned()) p.seed = m["seed"].get<std::uint64_t>();
  return p;
}

//! A record element's JSON (provenance_json_embedded): one object, nothing around it.
std::optional<Provenance> from_record(std::string_view record) {
  // allow_exceptions false: a malformed record is "no record", not an error.
  const json doc = json::parse(record.begin(), record.end(), nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return from_json(doc);
}

//! The `<property name="dcplan.KEY" value="VALUE"/>` elements of a JUnit file's first
//! <properties> (before any test case: a test case's text is the scenario's).
//! A plain scan, not an XML parser: dcplan wrote the file, with attributes in this exact form;
//! anything else is not its record and reads as none.
std::optional<Provenance> from_junit(std::string_view xml) {
  // dcplan writes the properties before the first test case; properties after one would be in
  // text a scenario wrote, not dcplan's.
  const auto open = xml.find("<properties>");
  const auto first_case = xml.find("<testcase");
  if (open == std::string_view::npos || open > first_case) return std::nullopt;
  const auto close = xml.find("</properties>", open);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view props = xml.substr(open, close - open);
  std::optional<Provenance> p;
  const std::string_view tag = "<property name=\"dcplan.";
  const std::string_view value_tag = "\" value=\"";
  for (auto at = props.find(tag); at != std::string_view::npos; at = props.find(tag, at + 1)) {
    const auto key_end = props.find('"', at + tag.size());
    if (key_end == std::string_view::npos || props.substr(key_end, value_tag.size()) != value_tag)
      continue;
    const auto value_start = key_end + value_tag.size();
    const auto value_end = props.find('"', value_start);
    if (value_end == std::string_view::npos) break;
    if (!p) p = Provenance{};
    const std::string_view key = props.substr(at + tag.size(), key_end - at - tag.size());
    const std::string value =
        text::xml_unescape(props.substr(value_start, value_end - value_start));
    if (key == "version") p->version = value;
    if (key == "commit") p->commit = value;
    if (key == "command") p->command = value;
    if (key == "scenario_sha256") p->scenario_sha256 = value;
    if (key == "time") p->time = value;
    // A seed is the digits dcplan wrote (strtoull reads anything else as 0).
    if (key == "seed") p->seed = std::strtoull(value.c_str(), nullptr, 10);
  }
  return p;
}

}  // namespace

//! (Declared in dcplan/provenance.hpp.) The build's version and commit come from build_info.
Provenance make_provenance(std::string command, std::string scenario_sha256,
                           std::optional<std::uint64_t> seed) {
  Provenance p;
  p.version = build_info::version();
  p.commit = build_info::commit();
  p.command = std::move(command);
  p.scenario_sha256 = std::move(scenario_sha256);
  p.seed = seed;
  p.time = utc_now();
  return p;
}

//! (Declared in dcplan/provenance.hpp.) Written by hand, keys in the documented order ("dcplan"
//! first, "time" last); every string is escaped (the command holds whatever the user typed,
//! --set values included). scenario_sha256 is hex digits and needs none.
std::string provenance_json(const Provenance& p) {
  std::string out = "{\"dcplan\":\"" + text::json_escape(p.version) + "\",\"commit\":\"" +
                    text::json_escape(p.commit) + "\",\"command\":\"" +
                    text::json_escape(p.command) + "\"";
  if (!p.scenario_sha256.empty()) out += ",\"scenario_sha256\":\"" + p.scenario_sha256 + "\"";
  if (p.seed) out += fmt::format(",\"seed\":{}", *p.seed);
  return out + ",\"time\":\"" + text::json_escape(p.time) + "\"}";
}

//! (Declared in dcplan/provenance.hpp.) For people (footers, the report); deliberately not
//! escaped here, since each format escapes it its own way where it is written.
std::string provenance_text(const Provenance& p) {
  std::string out = "dcplan " + p.version + " (commit " + p.commit + ")";
  if (!p.scenario_sha256.empty()) out += ", scenario SHA-256 " + p.scenario_sha256;
  if (p.seed) out += fmt::format(", seed {}", *p.seed);
  return out + ", " + p.time + ": " + p.command;
}

//! (Declared in dcplan/provenance.hpp.) \u003c for < keeps "</script>" and "-->" from ever
//! appearing inside the record, whatever the command line held: the record cannot end early.
std::string provenance_json_embedded(const Provenance& p) {
  std::string out;
  for (const char c : provenance_json(p)) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

//! (Declared in dcplan/provenance.hpp.) An HTML comment: invisible once the markdown is rendered,
//! and the output's last line, where read_provenance looks for it and nowhere else.
std::string provenance_md_record(const Provenance& p) {
  return std::string(kMdRecordOpen) + provenance_json_embedded(p) + kMdRecordClose;
}

//! (Declared in dcplan/provenance.hpp.) A JSON data block: the browser neither shows nor runs it.
std::string provenance_html_record(const Provenance& p) {
  return std::string(kHtmlRecordOpen) + provenance_json_embedded(p) + kHtmlRecordClose;
}

std::string with_provenance(const nlohmann::ordered_json& document, const Provenance& p,
                            const RecordExtra& extra) {
  std::string record = provenance_json(p);
  record.pop_back();  // its closing brace: the extra members go before it
  for (const auto& [key, value] : extra) {
    record += ",\"" + text::json_escape(key) + "\":\"" + text::json_escape(value) + "\"";
  }
  // The record first, on one line (a reader finds it at the top, verify reads it as a value);
  // then each member as the document dumps it, indented one level.
  std::string out = "{\n  \"meta\": " + record + "}";
  for (const auto& [key, value] : document.items()) {
    std::string member = value.dump(2);
    for (auto at = member.find('\n'); at != std::string::npos; at = member.find('\n', at + 1)) {
      member.insert(at + 1, "  ");
    }
    out += ",\n  " + nlohmann::ordered_json(key).dump() + ": " + member;
  }
  return out + "\n}\n";
}

std::string with_provenance(const std::string& text, std::string_view format, const Provenance& p) {
  if (format == "json") {
    // The rows array as its writer wrote it (its numbers exact, a row a line), under "rows".
    std::string rows = text;
    while (!rows.empty() && rows.back() == '\n') rows.pop_back();
    return "{\n\"meta\": " + provenance_json(p) + ",\n\"rows\": " + rows + "\n}\n";
  }
  if (format == "jsonl") return "{\"meta\":" + provenance_json(p) + "}\n" + text;
  if (format == "md") {
    return text + "\n<sub>" + text::md_escape(provenance_text(p), 4000) + "</sub>\n" +
           provenance_md_record(p) + "\n";
  }
  return text;
}

//! (Declared in dcplan/provenance.hpp.) The format is recognised by how the text starts, as
//! dcplan writes it: `{` json, jsonl or a sidecar; `<?xml` JUnit; `<!DOCTYPE html>` the report;
//! anything else is read as markdown, whose record must be the last line.
std::optional<Provenance> read_provenance(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  const std::string_view body = std::string_view(text).substr(start);
  // json ({"meta": …, "rows": …}), a sidecar (the object itself), jsonl (a first line).
  if (body.front() == '{') {
    const std::string first_line(body.substr(0, body.find('\n')));
    // The whole text is one JSON document (json, a sidecar); else its first line is (jsonl).
    for (const std::string_view candidate : {body, std::string_view(first_line)}) {
      const json doc = json::parse(candidate.begin(), candidate.end(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) continue;
      if (doc.contains("meta")) return from_json(doc["meta"]);
      return from_json(doc);
    }
    return std::nullopt;
  }
  // JUnit: the properties of the first test suite, before any test case.
  if (body.starts_with("<?xml")) return from_junit(body);
  if (body.starts_with("<!DOCTYPE html>")) {
    // One record element: every text of the scenario is escaped in the page, so it cannot hold
    // one; a page with two is not one dcplan wrote.
    const auto at = body.find(kHtmlRecordOpen);
    if (at == std::string_view::npos ||
        body.find(kHtmlRecordOpen, at + 1) != std::string_view::npos)
      return std::nullopt;
    const auto from = at + std::string_view(kHtmlRecordOpen).size();
    const auto to = body.find(kHtmlRecordClose, from);
    if (to == std::string_view::npos) return std::nullopt;
    return from_record(body.substr(from, to - from));
  }
  // Markdown: the record is the last line, after every row and the footer.
  std::string_view last = body;
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.remove_suffix(1);
  last = last.substr(last.rfind('\n') == std::string_view::npos ? 0 : last.rfind('\n') + 1);
  if (!last.starts_with(kMdRecordOpen) || !last.ends_with(kMdRecordClose)) return std::nullopt;
  last.remove_prefix(std::string_view(kMdRecordOpen).size());
  last.remove_suffix(std::string_view(kMdRecordClose).size());
  return from_record(last);
}

//! (Declared in dcplan/provenance.hpp.) POSIX shell quoting: an argument of safe characters
//! only is written as it is; any other is put in single quotes, inside which the shell
//! interprets nothing, and a quote in it is written '\'' (close, escaped quote, reopen). So
//! the recorded command can be pasted into a shell to run again.
std::string shell_command(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i] != nullptr ? argv[i] : "";
    // Plain when every character is one a POSIX shell leaves alone; an empty argument needs ''.
    bool plain = !a.empty();
    for (const char c : a) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("-_./=:,@+%").find(c) != std::string_view::npos;
      plain = plain && ok;
    }
    if (!out.empty()) out += ' ';
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (const char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

}  // namespace dcplan
