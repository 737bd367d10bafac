#include "io/sweep_file.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dcplan/build_info.hpp"
#include "dcplan/error.hpp"
#include "json_io.hpp"
#include "text.hpp"

namespace dcplan::io {

using json = nlohmann::json;

std::string sweep_header_line(const std::string& hash, long long runs, long long k, long long n,
                              bool jsonl) {
  // Provenance: the version and commit of the dcplan that wrote it (no spaces in either).
  if (jsonl) {
    return fmt::format(
        "{{\"dcplan_sweep\":{{\"version\":1,\"hash\":\"{}\",\"runs\":{},\"shard\":\"{}/{}\","
        "\"dcplan\":\"{}\",\"commit\":\"{}\"}}}}\n",
        hash, runs, k, n, text::json_escape(build_info::version()),
        text::json_escape(build_info::commit()));
  }
  return fmt::format("# dcplan-sweep v1 hash={} runs={} shard={}/{} dcplan={} commit={}\n", hash,
                     runs, k, n, build_info::version(), build_info::commit());
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

long long whole(std::string_view text, long long max) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string_view::npos)
    return -1;
  const long long v = std::stoll(std::string(text));
  return v <= max ? v : -1;
}

ShardHeader parse_sweep_header(const std::string& file, const std::string& line) {
  ShardHeader h;
  auto fail = [&](const std::string& what) -> ShardHeader {
    throw InputError(file, "",
                     "not a dcplan sweep output: " + what +
                         " (expected the first line written by dcplan sweep; --summary outputs "
                         "cannot be merged)");
  };
  std::string shard;
  std::string runs;
  if (line.rfind("# dcplan-sweep v1 ", 0) == 0) {
    const auto fields = text::split(std::string_view(line).substr(18), ' ');
    // Three fields before provenance was recorded; five since (dcplan=, commit=).
    if ((fields.size() != 3 && fields.size() != 5) || fields[0].rfind("hash=", 0) != 0 ||
        fields[1].rfind("runs=", 0) != 0 || fields[2].rfind("shard=", 0) != 0 ||
        (fields.size() == 5 &&
         (fields[3].rfind("dcplan=", 0) != 0 || fields[4].rfind("commit=", 0) != 0)))
      return fail("malformed header");
    h.hash = fields[0].substr(5);
    runs = fields[1].substr(5);
    shard = fields[2].substr(6);
    if (fields.size() == 5) {
      h.dcplan = fields[3].substr(7);
      h.commit = fields[4].substr(7);
    }
  } else if (line.rfind("{\"dcplan_sweep\":", 0) == 0) {
    h.jsonl = true;
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("dcplan_sweep") ||
        !j["dcplan_sweep"].is_object())
      return fail("malformed header");
    const auto& m = j["dcplan_sweep"];
    if (!m.contains("hash") || !m["hash"].is_string() || !m.contains("runs") ||
        !m["runs"].is_number_unsigned() || !m.contains("shard") || !m["shard"].is_string())
      return fail("malformed header (expected hash and shard strings and a whole runs count)");
    h.hash = m["hash"].get<std::string>();
    if (m.contains("dcplan") && m["dcplan"].is_string()) h.dcplan = m["dcplan"].get<std::string>();
    if (m.contains("commit") && m["commit"].is_string()) h.commit = m["commit"].get<std::string>();
    runs = std::to_string(m["runs"].get<std::uint64_t>());
    shard = m["shard"].get<std::string>();
  } else {
    return fail("first line is \"" + jsonio::excerpt(line) + "\"");
  }
  if (h.hash.size() != 16 || h.hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    return fail("malformed hash");
  h.runs = whole(runs, kMaxSweepRuns);
  if (h.runs < 0) return fail("malformed runs count \"" + jsonio::excerpt(runs) + "\"");
  const auto slash = shard.find('/');
  if (slash == std::string::npos) return fail("malformed shard \"" + jsonio::excerpt(shard) + "\"");
  h.k = whole(std::string_view(shard).substr(0, slash), kMaxSweepRuns);
  h.n = whole(std::string_view(shard).substr(slash + 1), kMaxSweepRuns);
  if (h.n < 1 || h.k < 0 || h.k >= h.n)
    return fail("malformed shard \"" + jsonio::excerpt(shard) + "\"");
  return h;
}

std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';  // a doubled quote inside a quoted field
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

long long csv_fields(const std::string& line) {
  long long n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      ++n;
    }
  }
  return quoted ? -1 : n;
}

}  // namespace dcplan::io
