// Merging the shards of one sweep back into run order, checking every row.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "dcplan/error.hpp"
#include "dcplan/sweep.hpp"
#include "io/sweep_file.hpp"
#include "json_io.hpp"
#include "sweep/plan.hpp"
#include "text.hpp"

namespace dcplan {

using io::csv_fields;
using io::ShardHeader;
using io::whole;
using sweep::json;
using sweep::kMaxRuns;
static_assert(io::kMaxSweepRuns == kMaxRuns, "the sweep file's bound is the sweep's");

namespace {

//! One shard being read.
struct Input {
  std::string file;
  std::ifstream in;
  ShardHeader header;
  std::string columns;
  long long fields = 0;  //!< csv: fields of the column line
  long long line_no = 1;
  std::string line;
  bool done = false;
  void next() {
    if (std::getline(in, line)) {
      ++line_no;
    } else {
      done = true;
    }
  }
};

//! Opens every file and reads its header (and column line).
std::vector<Input> open_inputs(const std::vector<std::string>& files) {
  std::vector<Input> inputs(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto& in = inputs[i];
    in.file = files[i];
    struct stat st {};
    // Files and pipes (dcplan merge <(ssh node1 cat out.0.csv) ...), never a directory.
    if (::stat(files[i].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw InputError(files[i], "", "expected a sweep output file, found a directory");
    in.in.open(files[i]);
    if (!in.in) throw InputError(files[i], "", "cannot read the file");
    std::string first;
    if (!std::getline(in.in, first))
      throw InputError(files[i], "", "not a dcplan sweep output: the file is empty");
    in.header = io::parse_sweep_header(files[i], first);
    if (!in.header.jsonl) {
      if (!std::getline(in.in, in.columns)) throw InputError(files[i], "", "no column line");
      ++in.line_no;
      in.fields = csv_fields(in.columns);
      if (in.columns.rfind("run,", 0) != 0 || in.fields < 2)
        throw InputError(files[i], "", "malformed column line (expected run,...)");
    }
    in.next();
  }
  return inputs;
}

//! Every shard of the sweep, each once, from the same sweep: by shard index. Nothing is
//! allocated by the shard count a header claims, only by the files given.
std::map<long long, Input*> check_shards(std::vector<Input>& inputs) {
  const auto& h0 = inputs[0].header;
  std::map<long long, Input*> by_shard;
  for (auto& in : inputs) {
    const auto& h = in.header;
    if (h.hash != h0.hash || h.runs != h0.runs || h.jsonl != h0.jsonl ||
        in.columns != inputs[0].columns) {
      throw InputError(in.file, "",
                       fmt::format("shard of a different sweep: hash {} (runs {}) vs {} (runs {}) "
                                   "in {}; merge only the shards of one sweep",
                                   h.hash, h.runs, h0.hash, h0.runs, inputs[0].file));
    }
    if (h.n != h0.n)
      throw InputError(in.file, "",
                       fmt::format("shard {}/{} does not belong with {}/{}", h.k, h.n, h0.k, h0.n));
    if (!by_shard.emplace(h.k, &in).second)
      throw InputError(in.file, "", fmt::format("shard {}/{} given twice", h.k, h.n));
  }
  for (long long k = 0; k < h0.n; ++k) {
    if (by_shard.count(k) == 0)
      throw InputError("merge", "", fmt::format("shard {}/{} is missing", k, h0.n));
  }
  return by_shard;
}

}  // namespace

void merge_sweeps(const std::vector<std::string>& files, std::ostream& out) {
  if (files.empty()) throw InputError("merge", "", "no files to merge");
  std::vector<Input> inputs = open_inputs(files);
  const auto& h0 = inputs[0].header;
  const std::map<long long, Input*> by_shard = check_shards(inputs);
  // Shards of one sweep made by different builds may differ in their numbers: said, not refused
  // (the same release on machines built from different checkouts is common).
  for (const auto& in : inputs) {
    if (in.header.dcplan != h0.dcplan || in.header.commit != h0.commit) {
      spdlog::warn(
          "merge: the shards were written by different dcplan builds ({} commit {} and {} "
          "commit {}); their numbers may differ",
          text::terminal_safe(h0.dcplan, 40), text::terminal_safe(h0.commit, 60),
          text::terminal_safe(in.header.dcplan, 40), text::terminal_safe(in.header.commit, 60));
      break;
    }
  }
  out << io::sweep_header_line(h0.hash, h0.runs, 0, 1, h0.jsonl);
  if (!h0.jsonl) out << inputs[0].columns << "\n";
  // Run r is in shard r mod N, and every run has as many rows as the first: each row is checked
  // (its run, its shape) as it is copied, so a truncated, reordered, foreign or padded shard is
  // an error, never a silently wrong merge.
  long long rows_per_run = -1;
  auto run_of = [&](Input& in) -> long long {
    if (h0.jsonl) {
      const json j = json::parse(in.line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("run") ||
          !j["run"].is_number_unsigned())
        return -1;
      return static_cast<long long>(std::min<std::uint64_t>(j["run"].get<std::uint64_t>(),
                                                            static_cast<std::uint64_t>(kMaxRuns)));
    }
    if (csv_fields(in.line) != in.fields) return -1;
    return whole(std::string_view(in.line).substr(0, in.line.find(',')), kMaxRuns);
  };
  auto bad = [](const Input& in, const std::string& what) {
    throw InputError(in.file, "", fmt::format("line {}: {}", in.line_no, what));
  };
  for (long long r = 0; r < h0.runs; ++r) {
    Input& in = *by_shard.at(r % h0.n);
    if (in.done) bad(in, fmt::format("the shard ends before run {} (truncated?)", r));
    long long rows = 0;
    while (!in.done) {
      const long long run = run_of(in);
      if (run < 0) bad(in, "malformed row \"" + jsonio::excerpt(in.line) + "\"");
      if (run != r) break;
      out << in.line << "\n";
      ++rows;
      in.next();
    }
    if (rows == 0)
      bad(in, fmt::format("expected run {}, found \"{}\"", r, jsonio::excerpt(in.line)));
    if (rows_per_run < 0) rows_per_run = rows;
    if (rows != rows_per_run)
      bad(in, fmt::format("run {} has {} rows, the others {}", r, rows, rows_per_run));
  }
  for (auto& in : inputs) {
    if (!in.done) bad(in, "rows after the shard's last run: \"" + jsonio::excerpt(in.line) + "\"");
  }
}

}  // namespace dcplan
