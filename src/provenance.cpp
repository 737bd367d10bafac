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

constexpr const char* kMdRecordOpen = "<!-- dcplan-provenance ";
constexpr const char* kMdRecordClose = " -->";
constexpr const char* kHtmlRecordOpen =
    "<script type=\"application/json\" id=\"dcplan-provenance\">";
constexpr const char* kHtmlRecordClose = "</script>";

//! Now, or SOURCE_DATE_EPOCH (seconds since 1970, UTC) when it is set and valid.
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
  const json doc = json::parse(record.begin(), record.end(), nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return from_json(doc);
}

//! The `<property name="dcplan.KEY" value="VALUE"/>` elements of a JUnit file's first
//! <properties> (before any test case: a test case's text is the scenario's).
std::optional<Provenance> from_junit(std::string_view xml) {
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
    if (key == "seed") p->seed = std::strtoull(value.c_str(), nullptr, 10);
  }
  return p;
}

}  // namespace

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

std::string provenance_json(const Provenance& p) {
  std::string out = "{\"dcplan\":\"" + text::json_escape(p.version) + "\",\"commit\":\"" +
                    text::json_escape(p.commit) + "\",\"command\":\"" +
                    text::json_escape(p.command) + "\"";
  if (!p.scenario_sha256.empty()) out += ",\"scenario_sha256\":\"" + p.scenario_sha256 + "\"";
  if (p.seed) out += fmt::format(",\"seed\":{}", *p.seed);
  return out + ",\"time\":\"" + text::json_escape(p.time) + "\"}";
}

std::string provenance_text(const Provenance& p) {
  std::string out = "dcplan " + p.version + " (commit " + p.commit + ")";
  if (!p.scenario_sha256.empty()) out += ", scenario SHA-256 " + p.scenario_sha256;
  if (p.seed) out += fmt::format(", seed {}", *p.seed);
  return out + ", " + p.time + ": " + p.command;
}

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

std::string provenance_md_record(const Provenance& p) {
  return std::string(kMdRecordOpen) + provenance_json_embedded(p) + kMdRecordClose;
}

std::string provenance_html_record(const Provenance& p) {
  return std::string(kHtmlRecordOpen) + provenance_json_embedded(p) + kHtmlRecordClose;
}

std::optional<Provenance> read_provenance(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  const std::string_view body = std::string_view(text).substr(start);
  // json ({"meta": …, "rows": …}), a sidecar (the object itself), jsonl (a first line).
  if (body.front() == '{') {
    const std::string first_line(body.substr(0, body.find('\n')));
    for (const std::string_view candidate : {body, std::string_view(first_line)}) {
      const json doc = json::parse(candidate.begin(), candidate.end(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) continue;
      if (doc.contains("meta")) return from_json(doc["meta"]);
      return from_json(doc);
    }
    return std::nullopt;
  }
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

std::string shell_command(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i] != nullptr ? argv[i] : "";
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
