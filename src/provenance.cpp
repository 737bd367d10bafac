#include "dcplan/provenance.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "dcplan/build_info.hpp"
#include "text.hpp"

namespace dcplan {

using json = nlohmann::json;

namespace {

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

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
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

std::optional<Provenance> read_provenance(const std::string& text) {
  // json ({"meta": …, "rows": …}), a sidecar (the object itself), jsonl (a first line).
  const auto first_line = text.substr(0, text.find('\n'));
  for (const std::string* candidate : {&text, &first_line}) {
    const json doc = json::parse(*candidate, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) continue;
    if (doc.contains("meta")) {
      if (auto p = from_json(doc["meta"])) return p;
    }
    if (auto p = from_json(doc)) return p;
  }
  // JUnit properties: <property name="dcplan.KEY" value="VALUE"/>.
  std::optional<Provenance> p;
  const std::string tag = "<property name=\"dcplan.";
  for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
    const auto key_end = text.find('"', at + tag.size());
    const std::string value_tag = "\" value=\"";
    if (key_end == std::string::npos || text.compare(key_end, value_tag.size(), value_tag) != 0)
      continue;
    const auto value_start = key_end + value_tag.size();
    const auto value_end = text.find('"', value_start);
    if (value_end == std::string::npos) break;
    if (!p) p = Provenance{};
    const std::string key = text.substr(at + tag.size(), key_end - at - tag.size());
    const std::string value = text::xml_unescape(text.substr(value_start, value_end - value_start));
    if (key == "version") p->version = value;
    if (key == "commit") p->commit = value;
    if (key == "command") p->command = value;
    if (key == "scenario_sha256") p->scenario_sha256 = value;
    if (key == "time") p->time = value;
    if (key == "seed") p->seed = std::strtoull(value.c_str(), nullptr, 10);
  }
  if (p) return p;
  // A markdown or HTML footer (provenance_text, markdown escapes removed): "dcplan VERSION
  // (commit COMMIT), scenario SHA-256 HEX, …".
  std::string plain;
  for (const char c : text) {
    if (c != '\\') plain += c;
  }
  const std::string commit_tag = " (commit ";
  for (auto at = plain.find(commit_tag); at != std::string::npos;
       at = plain.find(commit_tag, at + 1)) {
    const auto name = plain.rfind("dcplan ", at);
    if (name == std::string::npos || at - name > 40) continue;
    const auto close = plain.find(')', at);
    if (close == std::string::npos) break;
    Provenance f;
    f.version = plain.substr(name + 7, at - name - 7);
    f.commit = plain.substr(at + commit_tag.size(), close - at - commit_tag.size());
    const std::string hash_tag = "), scenario SHA-256 ";
    if (plain.compare(close, hash_tag.size(), hash_tag) == 0) {
      const std::string hex = plain.substr(close + hash_tag.size(), 64);
      if (is_hex64(hex)) f.scenario_sha256 = hex;
    }
    return f;
  }
  return std::nullopt;
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
